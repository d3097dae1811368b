#include "sandbox/child_process.hpp"

#include <linux/sched.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace hotplex::sandbox {

Result<CloneResult> Clone3(std::uint64_t flags, int cgroup_fd) {
  int pidfd = -1;
  clone_args args{};
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
  }
  const long pid = ::syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0) return ErrnoError("clone3");
  CloneResult result;
  result.pid = static_cast<pid_t>(pid);
  if (pid > 0) result.pidfd.Reset(pidfd);
  return result;
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || status_) return;
  Signal(SIGKILL);
  WaitFor(std::chrono::milliseconds(-1));
}

std::optional<ExitStatus> ChildProcess::TryReap() {
  if (status_ || pid_ <= 0) return status_;
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.Get()), &info,
                  WEXITED | WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0 || info.si_pid == 0) return std::nullopt;
  ExitStatus status;
  status.signaled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
  status.value = info.si_status;
  status_ = status;
  return status_;
}

std::optional<ExitStatus> ChildProcess::WaitFor(std::chrono::milliseconds timeout) {
  if (auto s = TryReap()) return s;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int wait_ms = -1;
    if (timeout.count() >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return TryReap();
      wait_ms = static_cast<int>(left.count());
    }
    pollfd pfd{pidfd_.Get(), POLLIN, 0};
    const int rc = ::poll(&pfd, 1, wait_ms);
    if (rc < 0 && errno != EINTR) return TryReap();
    if (auto s = TryReap()) return s;
  }
}

void ChildProcess::Signal(int sig) {
  if (status_ || !pidfd_) return;
  ::syscall(SYS_pidfd_send_signal, pidfd_.Get(), sig, nullptr, 0);
}

}  // namespace hotplex::sandbox
