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
#include "sandbox/child_steps.hpp"
#include "sandbox/init_process.hpp"
#include "sandbox/mount_jail.hpp"
#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace {

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

void DropPrivileges(const ChildContext& ctx) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    ReportSetupFailure(ctx.report_fd, "no_new_privs");
  if (const char* step = ctx.caps->DropAll()) ReportSetupFailure(ctx.report_fd, step);
}

}  // namespace

void ContainProc(const ChildContext& ctx) {
  using namespace child;
  SetDeathSignal(ctx);       // die with the daemon, even before the parent is done
  CloseInheritedFds(ctx);    // no fd of the daemon leaks in
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
