#include "supervisor/egress/egress_config.hpp"

#include <set>

namespace hotplex::supervisor {

Result<EgressConfig> MakeEgressConfig(const policies::NetworkSpec& network) {
  EgressConfig config;
  config.proxy_port = policies::kEgressProxyPort;
  HOTPLEX_TRY(config.rules,
              policies::HostRules::Build(network.allow_domains, network.deny_domains));
  std::set<std::uint16_t> ports{config.proxy_port};
  for (const auto& text : network.forwards) {
    HOTPLEX_TRY(auto forward, policies::ParseHostPort(text));
    if (!ports.insert(forward.port).second) {
      return MakeError("network.forwards: port " + std::to_string(forward.port) +
                       " is already used inside the sandbox (the proxy listens on " +
                       std::to_string(config.proxy_port) + ", each forward on its own port)");
    }
    config.forwards.push_back(std::move(forward));
  }
  return config;
}

std::vector<std::string> EgressProxyEnv(std::uint16_t proxy_port) {
  const std::string url = "http://127.0.0.1:" + std::to_string(proxy_port);
  return {"HTTP_PROXY=" + url,  "HTTPS_PROXY=" + url,           "http_proxy=" + url,
          "https_proxy=" + url, "NO_PROXY=localhost,127.0.0.1", "no_proxy=localhost,127.0.0.1"};
}

}  // namespace hotplex::supervisor
