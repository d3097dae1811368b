#include "supervisor/sandbox_spec_builder.hpp"

namespace hotplex::supervisor {

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
