// The namespace backend, parent side: prepares everything the child needs,
// clones it into new user/mount/pid/net/uts/ipc/cgroup namespaces, does the
// parent's half of the setup (id maps, cgroup membership) and waits until the
// payload has reached execve or a setup step has failed.
#include <sched.h>

#include <random>

#include "sandbox/backend.hpp"
#include "sandbox/child_context.hpp"
#include "sandbox/clone_launcher.hpp"
#include "sandbox/user_namespace.hpp"

namespace hotplex::sandbox {
namespace {

std::string RandomId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(12, '0');
  std::uint64_t bits = rng();
  for (auto& c : id) {
    c = kHex[bits & 15];
    bits >>= 4;
  }
  return id;
}

// Everything built before clone; lives on the parent's stack during Launch.
struct Prepared {
  std::string id;
  std::string hostname;
  MountPlan mounts;
  ExecPlan exec;
  std::shared_ptr<const SeccompProgram> seccomp;
  CapabilityDropper caps;
};

Result<Prepared> Prepare(const SandboxSpec& spec, SeccompCache& seccomp_cache) {
  HOTPLEX_TRY_STATUS(ValidateIdentity(spec.identity));
  std::string id = spec.id.empty() ? RandomId() : spec.id;
  std::string hostname = "hotplex-" + id.substr(0, 12);
  HOTPLEX_TRY(auto mounts, MountPlan::Build(spec, hostname));
  // The workdir and home become detached mounts now, from their pinned fds:
  // the child attaches them without resolving any host path.
  HOTPLEX_TRY_STATUS(mounts.CloneTrees());
  HOTPLEX_TRY(auto exec, ExecPlan::Build(spec.argv, spec.env));
  std::shared_ptr<const SeccompProgram> seccomp;
  if (spec.seccomp) {
    HOTPLEX_TRY(seccomp, seccomp_cache.Get(spec.extra_denied_syscalls));
  }
  HOTPLEX_TRY(auto caps, CapabilityDropper::Prepare());
  return Prepared{std::move(id),   std::move(hostname), std::move(mounts),
                  std::move(exec), std::move(seccomp),  std::move(caps)};
}

std::uint64_t CloneFlags(const SandboxSpec& spec) {
  std::uint64_t flags =
      CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
  if (spec.network != NetworkMode::kHost) flags |= CLONE_NEWNET;
  return flags;
}

class NamespaceBackend final : public Backend {
 public:
  explicit NamespaceBackend(CgroupLayout layout) : layout_(std::move(layout)) {}
  BackendKind Kind() const override { return BackendKind::kNamespace; }
  Result<std::unique_ptr<Sandbox>> Launch(const SandboxSpec& spec) override;

 private:
  CgroupLayout layout_;
  SeccompCache seccomp_cache_;
};

Result<std::unique_ptr<Sandbox>> NamespaceBackend::Launch(const SandboxSpec& spec) {
  if (spec.network_ready && spec.network == NetworkMode::kHost) {
    return MakeError(
        "a network-ready hook needs the sandbox's own network namespace, not the host's");
  }
  HOTPLEX_TRY(Prepared prep, Prepare(spec, seccomp_cache_));
  HOTPLEX_TRY(auto cgroup, CreateCgroup(layout_, "sandbox-" + prep.id, spec.limits));
  ChildContext ctx;
  ctx.mounts = &prep.mounts;
  ctx.exec = &prep.exec;
  ctx.seccomp = prep.seccomp.get();
  ctx.caps = &prep.caps;
  ctx.hostname = prep.hostname.c_str();
  ctx.workdir_inside = prep.mounts.WorkdirInside().c_str();
  const std::vector<int> trees = prep.mounts.TreeFds();
  for (std::size_t i = 0; i < trees.size(); ++i) ctx.setup_fds[i] = trees[i];
  ctx.uid = spec.identity.inside_uid;
  ctx.gid = spec.identity.inside_gid;
  ctx.open_files = spec.limits.open_files;
  ctx.new_network = spec.network != NetworkMode::kHost;
  ctx.stdio[0] = spec.stdio.in;
  ctx.stdio[1] = spec.stdio.out;
  ctx.stdio[2] = spec.stdio.err;
  CloneLaunch how;
  how.flags = CloneFlags(spec);
  how.status_pipe = true;
  how.child_main = ContainProc;
  how.parent_half = [&](pid_t pid) -> Status {
    HOTPLEX_TRY_STATUS(WriteIdMaps(pid, spec.identity));
    // The child waits on its sync pipe: whatever the hook installs in its
    // network namespace exists before the payload runs.
    if (spec.network_ready) {
      HOTPLEX_TRY_STATUS(spec.network_ready(pid));
    }
    return {};
  };
  // `prep` outlives the launch: the child reads its copy before execve.
  return LaunchCloned(ctx, how, std::move(cgroup), spec.limits);
}

}  // namespace

Result<std::unique_ptr<Backend>> MakeNamespaceBackend(const BackendOptions& options) {
  HOTPLEX_TRY(auto layout, DetectCgroupLayout(options.cgroup_root, options.cgroup_version));
  return std::unique_ptr<Backend>(std::make_unique<NamespaceBackend>(std::move(layout)));
}

}  // namespace hotplex::sandbox
