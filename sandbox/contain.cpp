// ContainProc: the whole setup order of a namespace sandbox, child side, in one
// readable list (after nsjail's containProc). Each step is a small function;
// a failing step reports {step, errno} on the CLOEXEC report pipe and exits.
// Runs after clone3() in a copy of a multi-threaded process: syscalls only.
#include <grp.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "sandbox/child_context.hpp"
#include "sandbox/init_process.hpp"
#include "sandbox/mount_jail.hpp"
#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace {

// Closes every inherited descriptor except stdio and the ones in `keep`: the
// child starts with a copy of every fd of the daemon, other sessions' included.
void CloseAllExcept(const ChildContext& ctx) {
  int keep[9] = {0, 1, 2, ctx.stdio[0], ctx.stdio[1], ctx.stdio[2], ctx.sync_fd, ctx.report_fd, ctx.status_fd};
  constexpr int kCount = 9;
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

void SetDeathSignal(const ChildContext& ctx) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) ReportSetupFailure(ctx.report_fd, "pdeathsig");
}

void SwitchIdentity(const ChildContext& ctx) {
  // Drop the daemon's supplementary groups (host root's among them): this is
  // the one setgroups call in the sandbox's life; afterwards nobody in it holds
  // CAP_SETGID.
  if (::setgroups(0, nullptr) != 0) ReportSetupFailure(ctx.report_fd, "setgroups");
  if (::setresgid(ctx.gid, ctx.gid, ctx.gid) != 0) ReportSetupFailure(ctx.report_fd, "setresgid");
  if (::setresuid(ctx.uid, ctx.uid, ctx.uid) != 0) ReportSetupFailure(ctx.report_fd, "setresuid");
}

void SetHostname(const ChildContext& ctx) {
  if (::sethostname(ctx.hostname, std::strlen(ctx.hostname)) != 0) {
    ReportSetupFailure(ctx.report_fd, "sethostname");
  }
}

void BuildFileSystem(const ChildContext& ctx) {
  child::PrepareStagingRoot(ctx.report_fd);
  ctx.mounts->Apply(ctx.report_fd);
  child::EnterNewRoot(ctx.report_fd);
  if (::chdir(ctx.workdir_inside) != 0) ReportSetupFailure(ctx.report_fd, "chdir workdir");
}

void BringUpLoopback(const ChildContext& ctx) {
  if (!ctx.new_network) return;
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) ReportSetupFailure(ctx.report_fd, "loopback socket");
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock, SIOCGIFFLAGS, &req) != 0) ReportSetupFailure(ctx.report_fd, "loopback flags");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(sock, SIOCSIFFLAGS, &req) != 0) ReportSetupFailure(ctx.report_fd, "loopback up");
  ::close(sock);
}

void ApplyResourceLimits(const ChildContext& ctx) {
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0) ReportSetupFailure(ctx.report_fd, "rlimit core");
  if (ctx.open_files == 0) return;
  const rlimit files{ctx.open_files, ctx.open_files};
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0) ReportSetupFailure(ctx.report_fd, "rlimit nofile");
}

void DropPrivileges(const ChildContext& ctx) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ReportSetupFailure(ctx.report_fd, "no_new_privs");
  if (const char* step = ctx.caps->DropAll()) ReportSetupFailure(ctx.report_fd, step);
}

void LoadSeccomp(const ChildContext& ctx) {
  if (ctx.seccomp != nullptr && ctx.seccomp->Install() != 0) ReportSetupFailure(ctx.report_fd, "seccomp");
}

}  // namespace

void ContainProc(const ChildContext& ctx) {
  SetDeathSignal(ctx);       // die with the daemon, even before the parent is done
  CloseAllExcept(ctx);       // no fd of the daemon leaks in
  WaitForParent(ctx);        // uid/gid maps written, cgroup joined
  SwitchIdentity(ctx);       // the sandbox user (mapped to its host uid)
  SetDeathSignal(ctx);       // a credential change clears it
  SetHostname(ctx);          // uts namespace
  BuildFileSystem(ctx);      // mount namespace: tmpfs root, binds, /proc, /dev, pivot_root
  BringUpLoopback(ctx);      // net namespace
  ApplyResourceLimits(ctx);  // rlimits (cgroup limits were set by the parent)
  DropPrivileges(ctx);       // no_new_privs, every capability, locked securebits
  LoadSeccomp(ctx);          // last: the filter denies the mounts above
  RunInit(ctx);              // pid 1: start the payload, forward signals, reap
}

}  // namespace hotplex::sandbox
