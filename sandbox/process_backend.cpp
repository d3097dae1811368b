// The process backend: no namespaces. The payload runs as an unprivileged host
// user in its own session, process group and cgroup, with no_new_privs, the
// seccomp filter and the spec's environment -- but it sees the host's file
// system and network. For development machines only: policies must opt in with
// `unsafe: true`, and the supervisor says so in its logs.
#include <sys/prctl.h>
#include <unistd.h>

#include <random>

#include "sandbox/backend.hpp"
#include "sandbox/child_steps.hpp"
#include "sandbox/clone_launcher.hpp"
#include "sandbox/mount_plan.hpp"
#include "sandbox/setup_report.hpp"
#include "sandbox/user_namespace.hpp"

namespace hotplex::sandbox {
namespace {

void ContainProcess(const ChildContext& ctx) {
  using namespace child;
  SetDeathSignal(ctx);     // die with the daemon
  CloseInheritedFds(ctx);  // no fd of the daemon leaks in
  WaitForParent(ctx);      // cgroup joined
  SwitchIdentity(ctx);     // the host uid/gid: root's capabilities go with it
  SetDeathSignal(ctx);     // a credential change clears it
  // The pinned workdir fd: the directory checked is the one entered.
  if (::fchdir(ctx.workdir_fd) != 0) ReportSetupFailure(ctx.report_fd, "chdir workdir");
  ::close(ctx.workdir_fd);
  ApplyResourceLimits(ctx);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    ReportSetupFailure(ctx.report_fd, "no_new_privs");
  LoadSeccomp(ctx);
  ExecPayload(ctx);  // own session and process group
}

class ProcessBackend final : public Backend {
 public:
  explicit ProcessBackend(CgroupLayout layout) : layout_(std::move(layout)) {}
  BackendKind Kind() const override { return BackendKind::kProcess; }

  Result<std::unique_ptr<Sandbox>> Launch(const SandboxSpec& spec) override {
    HOTPLEX_TRY_STATUS(ValidateIdentity(spec.identity));
    std::shared_ptr<const UniqueFd> workdir = spec.workdir_fd;
    if (workdir == nullptr || !workdir->Valid()) {
      HOTPLEX_TRY(workdir, PinTrustedDir(spec.workdir, "WorkDir"));
    }
    if (!spec.mounts.empty()) {
      return MakeError("the process backend has no mount namespace: it cannot apply mounts");
    }
    if (spec.network != NetworkMode::kHost) {
      return MakeError(
          "the process backend has no network namespace: its network is the host's "
          "(the policy must say network mode host)");
    }
    HOTPLEX_TRY(ExecPlan exec, ExecPlan::Build(spec.argv, spec.env));
    std::shared_ptr<const SeccompProgram> seccomp;
    if (spec.seccomp) {
      HOTPLEX_TRY(seccomp, seccomp_cache_.Get(spec.extra_denied_syscalls));
    }
    const std::string id = spec.id.empty() ? std::to_string(std::random_device{}()) : spec.id;
    HOTPLEX_TRY(auto cgroup, CreateCgroup(layout_, "process-" + id, spec.limits));
    ChildContext ctx;
    ctx.exec = &exec;
    ctx.seccomp = seccomp.get();
    ctx.workdir_inside = spec.workdir.c_str();
    ctx.workdir_fd = workdir->Get();
    ctx.setup_fds[0] = workdir->Get();
    ctx.uid = spec.identity.host_uid;
    ctx.gid = spec.identity.host_gid;
    ctx.open_files = spec.limits.open_files;
    ctx.new_network = false;
    ctx.stdio[0] = spec.stdio.in;
    ctx.stdio[1] = spec.stdio.out;
    ctx.stdio[2] = spec.stdio.err;
    CloneLaunch how;
    how.child_main = ContainProcess;
    return LaunchCloned(ctx, how, std::move(cgroup), spec.limits);
  }

 private:
  CgroupLayout layout_;
  SeccompCache seccomp_cache_;
};

}  // namespace

Result<std::unique_ptr<Backend>> MakeProcessBackend(const BackendOptions& options) {
  HOTPLEX_TRY(auto layout, DetectCgroupLayout(options.cgroup_root, options.cgroup_version));
  return std::unique_ptr<Backend>(std::make_unique<ProcessBackend>(std::move(layout)));
}

}  // namespace hotplex::sandbox
