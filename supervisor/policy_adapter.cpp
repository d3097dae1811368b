#include "supervisor/policy_adapter.hpp"

namespace hotplex::supervisor {
namespace {

class CompiledPolicyGovernor final : public ToolGovernor {
 public:
  explicit CompiledPolicyGovernor(std::shared_ptr<const policies::CompiledPolicy> policy)
      : policy_(std::move(policy)) {}

  ToolVerdict DecideTool(std::string_view tool, const nlohmann::json& input,
                         const std::string& workdir) const override {
    return policy_->DecideTool(tool, input, workdir);
  }

 private:
  std::shared_ptr<const policies::CompiledPolicy> policy_;
};

void CopySandbox(const policies::SandboxSection& s, SessionPolicy& p) {
  p.backend_name = policies::BackendName(s.backend);
  if (s.backend == policies::Backend::kNamespace) {
    p.backend = sandbox::BackendKind::kNamespace;
  } else if (s.backend == policies::Backend::kProcess) {
    p.backend = sandbox::BackendKind::kProcess;
  } else if (s.backend == policies::Backend::kDocker) {
    p.backend = sandbox::BackendKind::kDocker;
  } else {
    p.backend.reset();
  }
  p.image = s.image;
  p.limits = ToSandboxLimits(s.limits);
  p.max_sessions = s.limits.max_sessions;
  p.max_prompt_bytes = s.limits.max_prompt_bytes;
  p.idle_timeout = s.limits.idle_timeout;
  p.ask_timeout = s.ask_timeout;
  p.egress = s.network.mode == policies::NetworkMode::kEgress;
  p.network = s.network.mode == policies::NetworkMode::kHost ? sandbox::NetworkMode::kHost
              : p.egress                                     ? sandbox::NetworkMode::kLoopback
                                                             : sandbox::NetworkMode::kNone;
  if (p.egress) {
    p.allow_domains = s.network.allow_domains;
    p.deny_domains = s.network.deny_domains;
    p.forwards = s.network.forwards;
  }
  for (const auto& m : s.mounts) {
    p.mounts.push_back(
        {m.source, m.target,
         m.writable ? sandbox::MountMode::kReadWrite : sandbox::MountMode::kReadOnly});
  }
  p.seccomp = s.seccomp;
  p.extra_denied_syscalls = s.extra_denied_syscalls;
  p.run_as_uid = s.run_as_uid;
  p.run_as_gid = s.run_as_gid;
}

}  // namespace

sandbox::Limits ToSandboxLimits(const policies::LimitsSpec& limits) {
  sandbox::Limits out;
  out.memory_bytes = limits.memory_bytes;
  out.pids = limits.pids;
  out.cpu_cores = limits.cpu_cores;
  out.open_files = limits.open_files;
  out.wall_time = limits.wall_time;
  return out;
}

SessionPolicyPtr ToSessionPolicy(std::shared_ptr<const policies::CompiledPolicy> compiled) {
  if (!compiled) return nullptr;
  auto p = std::make_shared<SessionPolicy>();
  const policies::PolicySpec& spec = compiled->Spec();
  p->name = compiled->Name();
  CopySandbox(spec.sandbox, *p);
  p->env_pass = spec.env.pass;
  p->env_set = spec.env.set;
  p->claude_model = spec.provider.claude_code.model;
  p->claude_extra_args = spec.provider.claude_code.extra_args;
  p->claude_append_system_prompt = spec.provider.claude_code.append_system_prompt;
  p->exec_allowed_commands = spec.provider.exec.allowed_commands;
  p->governor = std::make_shared<CompiledPolicyGovernor>(compiled);
  p->compiled = std::move(compiled);
  return p;
}

SessionPolicyPtr PolicyStoreSource::Get(std::string_view team) const {
  return ToSessionPolicy(store_.Get(team));
}

}  // namespace hotplex::supervisor
