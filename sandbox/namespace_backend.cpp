// The namespace backend, parent side: prepares everything the child needs,
// clones it into new user/mount/pid/net/uts/ipc/cgroup namespaces, does the
// parent's half of the setup (id maps, cgroup membership) and waits until the
// payload has reached execve or a setup step has failed.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <random>

#include "sandbox/backend.hpp"
#include "sandbox/child_context.hpp"
#include "sandbox/running_sandbox.hpp"
#include "sandbox/setup_report.hpp"
#include "sandbox/user_namespace.hpp"

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

// Compiled seccomp programs by their extra denials: compiling one takes about
// a millisecond, and a supervisor launches many sandboxes with few policies.
class SeccompCache {
 public:
  Result<std::shared_ptr<const SeccompProgram>> Get(const std::vector<std::string>& extra) {
    std::lock_guard lock(mu_);
    if (auto it = programs_.find(extra); it != programs_.end()) return it->second;
    HOTPLEX_TRY(auto program, SeccompProgram::Build(extra));
    auto shared = std::make_shared<const SeccompProgram>(std::move(program));
    if (programs_.size() < kMaxPrograms) programs_.emplace(extra, shared);
    return shared;
  }

 private:
  static constexpr std::size_t kMaxPrograms = 64;
  std::mutex mu_;
  std::map<std::vector<std::string>, std::shared_ptr<const SeccompProgram>> programs_;
};

Result<Prepared> Prepare(const SandboxSpec& spec, SeccompCache& seccomp_cache) {
  HOTPLEX_TRY_STATUS(ValidateIdentity(spec.identity));
  std::string id = spec.id.empty() ? RandomId() : spec.id;
  std::string hostname = "hotplex-" + id.substr(0, 12);
  HOTPLEX_TRY(auto mounts, MountPlan::Build(spec, hostname));
  HOTPLEX_TRY(auto exec, ExecPlan::Build(spec.argv, spec.env));
  std::shared_ptr<const SeccompProgram> seccomp;
  if (spec.seccomp) {
    HOTPLEX_TRY(seccomp, seccomp_cache.Get(spec.extra_denied_syscalls));
  }
  HOTPLEX_TRY(auto caps, CapabilityDropper::Prepare());
  return Prepared{std::move(id), std::move(hostname), std::move(mounts), std::move(exec),
                  std::move(seccomp), std::move(caps)};
}

std::uint64_t CloneFlags(const SandboxSpec& spec) {
  std::uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                        CLONE_NEWCGROUP;
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
  HOTPLEX_TRY(Prepared prep, Prepare(spec, seccomp_cache_));
  HOTPLEX_TRY(auto cgroup, CreateCgroup(layout_, "sandbox-" + prep.id, spec.limits));
  HOTPLEX_TRY(Pipe sync, MakePipe());
  HOTPLEX_TRY(Pipe report, MakePipe());
  HOTPLEX_TRY(Pipe status, MakePipe());

  ChildContext ctx;
  ctx.mounts = &prep.mounts;
  ctx.exec = &prep.exec;
  ctx.seccomp = prep.seccomp.get();
  ctx.caps = &prep.caps;
  ctx.hostname = prep.hostname.c_str();
  ctx.workdir_inside = prep.mounts.WorkdirInside().c_str();
  ctx.uid = spec.identity.inside_uid;
  ctx.gid = spec.identity.inside_gid;
  ctx.open_files = spec.limits.open_files;
  ctx.new_network = spec.network != NetworkMode::kHost;
  ctx.stdio[0] = spec.stdio.in;
  ctx.stdio[1] = spec.stdio.out;
  ctx.stdio[2] = spec.stdio.err;
  ctx.sync_fd = sync.read.Get();
  ctx.report_fd = report.write.Get();
  ctx.status_fd = status.write.Get();

  HOTPLEX_TRY(CloneResult cloned, Clone3(CloneFlags(spec), cgroup->DirFd()));
  if (cloned.pid == 0) ContainProc(ctx);

  ChildProcess child(cloned.pid, std::move(cloned.pidfd));
  sync.read.Reset();
  report.write.Reset();
  status.write.Reset();
  // Parent half of the setup; the child waits on `sync` until it is done.
  HOTPLEX_TRY_STATUS(WriteIdMaps(child.Pid(), spec.identity));
  if (cgroup->Version() == 1) HOTPLEX_TRY_STATUS(cgroup->AddProcess(child.Pid()));
  if (::write(sync.write.Get(), "g", 1) != 1) return ErrnoError("release sandbox child");
  sync.write.Reset();

  HOTPLEX_TRY(auto failure, ReadSetupReport(report.read.Get()));
  if (failure) {
    child.WaitFor(std::chrono::milliseconds(-1));
    return Error{kSandboxSetupFailed, failure->sys_errno, failure->step};
  }
  return std::unique_ptr<Sandbox>(std::make_unique<RunningSandbox>(
      std::move(child), std::move(cgroup), std::move(status.read), spec.limits));
}

}  // namespace

Result<std::unique_ptr<Backend>> MakeNamespaceBackend(const BackendOptions& options) {
  HOTPLEX_TRY(auto layout, DetectCgroupLayout(options.cgroup_root, options.cgroup_version));
  return std::unique_ptr<Backend>(std::make_unique<NamespaceBackend>(std::move(layout)));
}

}  // namespace hotplex::sandbox
