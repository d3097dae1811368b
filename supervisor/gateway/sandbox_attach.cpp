#include "supervisor/gateway/sandbox_attach.hpp"

#include <algorithm>

namespace hotplex::gateway {
namespace {

bool Replaced(const std::string& entry) {
  for (std::string_view name :
       {"ANTHROPIC_BASE_URL=", "ANTHROPIC_API_KEY=", "ANTHROPIC_AUTH_TOKEN="}) {
    if (entry.starts_with(name)) return true;
  }
  return false;
}

}  // namespace

Status AttachToSandbox(const std::shared_ptr<SessionEndpoint>& endpoint,
                       sandbox::SandboxSpec& spec) {
  if (spec.network == sandbox::NetworkMode::kHost) {
    return MakeError(
        "model gateway: a sandbox on the host network has no network namespace of its own to "
        "serve the gateway in; set the policy's model_gateway.enabled: false or use network "
        "mode none or egress");
  }
  auto& env = spec.env;
  env.erase(std::remove_if(env.begin(), env.end(),
                           [&](const std::string& entry) {
                             return Replaced(entry) || endpoint->HoldsCredential(entry);
                           }),
            env.end());
  env.push_back("ANTHROPIC_BASE_URL=" + endpoint->BaseUrl());
  env.push_back("ANTHROPIC_API_KEY=" + endpoint->Token());
  auto previous = std::move(spec.network_ready);
  spec.network_ready = [previous = std::move(previous), endpoint](pid_t pid) -> Status {
    if (previous) HOTPLEX_TRY_STATUS(previous(pid));
    return endpoint->Install(pid);
  };
  return {};
}

}  // namespace hotplex::gateway
