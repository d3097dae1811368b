#include "sandbox/child_steps.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <utility>

#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox::child {

void SetDeathSignal(const ChildContext& ctx) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    ReportSetupFailure(ctx.report_fd, "pdeathsig");
}

void CloseInheritedFds(const ChildContext& ctx) {
  constexpr int kCount = 9 + kMaxMountTrees;
  int keep[kCount] = {
      0, 1, 2, ctx.stdio[0], ctx.stdio[1], ctx.stdio[2], ctx.sync_fd, ctx.report_fd, ctx.status_fd};
  for (int i = 0; i < kMaxMountTrees; ++i) keep[9 + i] = ctx.setup_fds[i];
  for (int i = 1; i < kCount; ++i) {  // insertion sort: no allocation
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) std::swap(keep[j - 1], keep[j]);
  }
  unsigned first = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned>(fd) > first) ::syscall(SYS_close_range, first, fd - 1u, 0u);
    if (static_cast<unsigned>(fd) + 1 > first) first = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, first, ~0u, 0u);
}

void WaitForParent(const ChildContext& ctx) {
  char go = 0;
  ssize_t n;
  do {
    n = ::read(ctx.sync_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(kSetupFailedExitCode);  // the parent gave up on us
  ::close(ctx.sync_fd);
}

void SwitchIdentity(const ChildContext& ctx) {
  // Drop the daemon's supplementary groups (host root's among them): after
  // this, nothing in the sandbox holds CAP_SETGID to call setgroups again.
  // Raw syscalls, not the libc wrappers: glibc's set*id/setgroups broadcast to
  // every thread it knows (__nptl_setxid), and the child's copy of that list
  // names the daemon's threads; one caught mid-creation at clone time leaves
  // the child waiting forever on its futex. The child has one thread.
  if (::syscall(SYS_setgroups, 0, nullptr) != 0) ReportSetupFailure(ctx.report_fd, "setgroups");
  if (::syscall(SYS_setresgid, ctx.gid, ctx.gid, ctx.gid) != 0) {
    ReportSetupFailure(ctx.report_fd, "setresgid");
  }
  if (::syscall(SYS_setresuid, ctx.uid, ctx.uid, ctx.uid) != 0) {
    ReportSetupFailure(ctx.report_fd, "setresuid");
  }
}

void ApplyResourceLimits(const ChildContext& ctx) {
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0) ReportSetupFailure(ctx.report_fd, "rlimit core");
  if (ctx.open_files == 0) return;
  const rlimit files{ctx.open_files, ctx.open_files};
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0) ReportSetupFailure(ctx.report_fd, "rlimit nofile");
}

void LoadSeccomp(const ChildContext& ctx) {
  if (ctx.seccomp != nullptr && ctx.seccomp->Install() != 0)
    ReportSetupFailure(ctx.report_fd, "seccomp");
}

namespace {

// Installs ctx.stdio as 0/1/2, whatever numbers the sources have.
void InstallStdio(const ChildContext& ctx) {
  int moved[3];
  for (int i = 0; i < 3; ++i) {
    moved[i] = ::fcntl(ctx.stdio[i], F_DUPFD_CLOEXEC, 3);
    if (moved[i] < 0) ReportSetupFailure(ctx.report_fd, "stdio");
  }
  for (int i = 0; i < 3; ++i) {
    if (::dup2(moved[i], i) < 0) ReportSetupFailure(ctx.report_fd, "stdio");
  }
}

}  // namespace

void ExecPayload(const ChildContext& ctx) {
  if (::setsid() < 0) ReportSetupFailure(ctx.report_fd, "setsid");
  InstallStdio(ctx);
  // Everything but stdio closes at execve; the report pipe stays usable until then.
  if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    ReportSetupFailure(ctx.report_fd, "close_range");
  }
  ctx.exec->Exec(ctx.report_fd);
}

}  // namespace hotplex::sandbox::child
