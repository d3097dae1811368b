#include "sandbox/init_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "sandbox/child_context.hpp"
#include "sandbox/child_steps.hpp"
#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// pid 1 of a pid namespace only receives signals it has a handler for.
void IgnoreSignal(int) {}

void InstallHandlers(sigset_t* set) {
  sigemptyset(set);
  sigaddset(set, SIGCHLD);
  struct sigaction sa {};
  sa.sa_handler = IgnoreSignal;
  for (int sig : kForwarded) {
    sigaddset(set, sig);
    ::sigaction(sig, &sa, nullptr);
  }
  ::sigaction(SIGCHLD, &sa, nullptr);
  ::sigprocmask(SIG_BLOCK, set, nullptr);
}

void RestoreSignals(const sigset_t& set) {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig : kForwarded) ::sigaction(sig, &sa, nullptr);
  ::sigaction(SIGCHLD, &sa, nullptr);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

[[noreturn]] void StartPayload(const ChildContext& ctx, const sigset_t& set) {
  RestoreSignals(set);
  child::ExecPayload(ctx);
}

[[noreturn]] void ReapLoop(const ChildContext& ctx, pid_t payload, const sigset_t& set) {
  while (true) {
    siginfo_t info{};
    const int sig = ::sigwaitinfo(&set, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      if (::kill(-payload, sig) != 0) ::kill(payload, sig);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != payload) continue;
      const std::int32_t raw = status;
      [[maybe_unused]] const ssize_t n = ::write(ctx.status_fd, &raw, sizeof raw);
      ::_exit(0);
    }
  }
}

}  // namespace

void RunInit(const ChildContext& ctx) {
  sigset_t set;
  InstallHandlers(&set);
  // A raw clone, not fork(): fork() would run glibc's atfork handlers, which
  // take locks that another thread of the daemon may have held at clone time.
  const long payload = ::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (payload < 0) ReportSetupFailure(ctx.report_fd, "fork payload");
  if (payload == 0) StartPayload(ctx, set);
  // The parent learns that setup finished when every write end of the report
  // pipe is closed: ours now, the payload's at execve.
  ::close(ctx.report_fd);
  for (int fd : ctx.stdio) {
    if (fd > 2 && fd != ctx.status_fd) ::close(fd);
  }
  // Init keeps no stdio of its own.
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3 && devnull >= 0; ++i) ::dup2(devnull, i);
  ReapLoop(ctx, static_cast<pid_t>(payload), set);
}

}  // namespace hotplex::sandbox
