#include "supervisor/sandbox_spec_builder.hpp"

#include <unistd.h>

#include "sandbox/host_path.hpp"
#include "supervisor/claude_code_provider.hpp"
#include "supervisor/exec_provider.hpp"
#include "supervisor/sandbox_env.hpp"

namespace hotplex::supervisor {
namespace {

// The daemon's own environment, from which the policy's `env.pass` globs pick.
std::vector<std::string> HostEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  return env;
}

std::string ShortId(const std::string& id) {
  std::string out;
  for (char c : id) {
    if (c != '-') out += c;
    if (out.size() == 12) break;
  }
  return out;
}

// Resolved again at every start, beneath the trusted roots: the backend mounts
// these fds, never the paths (the tenant may have planted a link since).
hotplex::Status PinDirs(const SpecInputs& in, sandbox::SandboxSpec& spec) {
  const auto owner = sandbox::TenantOwner(in.identity.host_uid, in.identity.host_gid);
  if (!in.workspace_root.empty()) {
    HOTPLEX_TRY(auto fd, sandbox::PinDirBelow(in.workspace_root, in.record.workdir, owner));
    spec.workdir_fd = std::make_shared<const UniqueFd>(std::move(fd));
  }
  if (!in.homes_root.empty()) {
    HOTPLEX_TRY(auto fd, sandbox::PinDirBelow(in.homes_root, in.record.home, owner));
    spec.home_fd = std::make_shared<const UniqueFd>(std::move(fd));
  }
  return {};
}

}  // namespace

const AgentBinary* HostAgentBinary(ProviderKind provider, sandbox::BackendKind backend,
                                   const std::shared_ptr<const AgentBinary>& resolved) {
  if (provider != ProviderKind::kClaudeCode || !resolved ||
      backend == sandbox::BackendKind::kDocker) {
    return nullptr;
  }
  return resolved.get();
}

std::unique_ptr<Provider> MakeProvider(ProviderHost& host, const SessionRecord& record,
                                       const SessionPolicy& policy,
                                       const std::vector<std::string>& claude_command,
                                       const AgentBinary* host_agent) {
  if (record.provider == ProviderKind::kExec) {
    return std::make_unique<ExecProvider>(host, record.argv);
  }
  ClaudeCodeSettings settings;
  settings.command = claude_command;
  if (host_agent && !host_agent->real_path.empty()) settings.command[0] = host_agent->real_path;
  settings.session_id = ConversationIdOf(record);
  settings.model = policy.claude_model;
  settings.extra_args = policy.claude_extra_args;
  settings.append_system_prompt = policy.claude_append_system_prompt;
  settings.ask_timeout = policy.ask_timeout;
  settings.governor = policy.governor;
  return std::make_unique<ClaudeCodeProvider>(host, std::move(settings));
}

Result<sandbox::SandboxSpec> BuildSandboxSpec(const SpecInputs& in) {
  const SessionPolicy& policy = in.policy;
  sandbox::SandboxSpec spec;
  spec.id = ShortId(in.record.id);
  spec.argv = in.argv;
  // Every backend but the plain process one mounts the home at home_inside.
  const bool jailed = in.backend != sandbox::BackendKind::kProcess;
  spec.home_source = in.record.home;
  spec.env = BuildSandboxEnv(policy, HostEnvironment(), jailed ? spec.home_inside : in.record.home);
  spec.workdir = in.record.workdir;
  HOTPLEX_TRY_STATUS(PinDirs(in, spec));
  spec.mounts = policy.mounts;
  spec.mounts.insert(spec.mounts.end(), in.extra_mounts.begin(), in.extra_mounts.end());
  // Only the namespace jail hides the host's files; the process backend sees them.
  if (in.host_agent && in.backend == sandbox::BackendKind::kNamespace) {
    AddAgentMounts(*in.host_agent, spec.mounts);
  }
  spec.limits = policy.limits;
  spec.network = policy.network;
  spec.identity = in.identity;
  if (policy.run_as_uid) spec.identity.inside_uid = *policy.run_as_uid;
  if (policy.run_as_gid) spec.identity.inside_gid = *policy.run_as_gid;
  spec.seccomp = policy.seccomp;
  spec.extra_denied_syscalls = policy.extra_denied_syscalls;
  spec.image = policy.image;
  spec.labels = {{"io.hotplex.tenant", in.record.tenant_id}, {"io.hotplex.policy", policy.name}};
  return spec;
}

Result<std::shared_ptr<EgressGateway>> AttachEgressGateway(
    boost::asio::io_context& io, const SessionPolicy& policy, sandbox::SandboxSpec& spec,
    std::function<void(const EgressDecision&)> on_decision) {
  if (!policy.egress) return std::shared_ptr<EgressGateway>();
  const policies::NetworkSpec network{policies::NetworkMode::kEgress, policy.allow_domains,
                                      policy.deny_domains, policy.forwards};
  HOTPLEX_TRY(EgressConfig config, MakeEgressConfig(network));
  config.on_decision = std::move(on_decision);
  auto gateway = EgressGateway::Create(io, std::move(config));
  spec.network_ready = [gateway](pid_t pid) { return gateway->Install(pid); };
  return gateway;
}

}  // namespace hotplex::supervisor
