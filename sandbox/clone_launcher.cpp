#include "sandbox/clone_launcher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "sandbox/child_process.hpp"
#include "sandbox/running_sandbox.hpp"
#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

Result<std::unique_ptr<Sandbox>> LaunchCloned(ChildContext ctx, const CloneLaunch& how,
                                              std::unique_ptr<Cgroup> cgroup,
                                              const Limits& limits) {
  HOTPLEX_TRY(Pipe sync, MakePipe());
  HOTPLEX_TRY(Pipe report, MakePipe());
  Pipe status;
  if (how.status_pipe) {
    HOTPLEX_TRY(status, MakePipe());
  }
  ctx.sync_fd = sync.read.Get();
  ctx.report_fd = report.write.Get();
  ctx.status_fd = status.write ? status.write.Get() : -1;

  HOTPLEX_TRY(CloneResult cloned, Clone3(how.flags, cgroup->DirFd()));
  if (cloned.pid == 0) {
    how.child_main(ctx);
    ::_exit(kSetupFailedExitCode);
  }
  ChildProcess child(cloned.pid, std::move(cloned.pidfd));
  sync.read.Reset();
  report.write.Reset();
  status.write.Reset();
  // Parent half of the setup; the child waits on `sync` until it is done.
  if (how.parent_half) HOTPLEX_TRY_STATUS(how.parent_half(child.Pid()));
  if (cgroup->Version() == 1) HOTPLEX_TRY_STATUS(cgroup->AddProcess(child.Pid()));
  if (::write(sync.write.Get(), "g", 1) != 1) return ErrnoError("release sandbox child");
  sync.write.Reset();

  HOTPLEX_TRY(auto failure, ReadSetupReport(report.read.Get()));
  if (failure) {
    child.WaitFor(std::chrono::milliseconds(-1));
    return Error{kSandboxSetupFailed, failure->sys_errno, failure->step};
  }
  return std::unique_ptr<Sandbox>(std::make_unique<RunningSandbox>(
      std::move(child), std::move(cgroup), std::move(status.read), limits));
}

}  // namespace hotplex::sandbox
