// EgressConfig: what one session's egress gateway enforces — the policy's
// domain rules, its forwards, the limits — and where its decisions go.
// Built once per launch from the policy's network section; shared read-only by
// the gateway and its tunnels. Thread-safety: immutable after construction.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "policies/host_rules.hpp"
#include "policies/policy_spec.hpp"

namespace hotplex::supervisor {

struct EgressLimits {
  std::size_t max_connections = 64;  // open at once per session; more are closed on accept
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + connect, then 504
  std::chrono::milliseconds idle_timeout{300'000};    // no byte either way: both ends closed
};

// One decision of the gateway, for events and the audit log.
struct EgressDecision {
  std::string via;  // "proxy" or "forward"
  std::string host;
  std::uint16_t port = 0;
  bool allowed = false;
  std::string reason;  // the rule and pattern, or why the request was refused
};

struct EgressConfig {
  policies::HostRules rules;
  std::vector<policies::HostPort> forwards;  // each listens on 127.0.0.1:<its port>
  std::uint16_t proxy_port = 0;              // 127.0.0.1:proxy_port inside the sandbox
  EgressLimits limits;
  // Runs on the gateway's strand for every proxy request and forwarded
  // connection; must not block. May be empty.
  std::function<void(const EgressDecision&)> on_decision;
};

// The config for a policy's network section (mode egress): its allow/deny
// patterns and forwards; an error for a pattern or forward that does not
// parse, or a forward on the proxy's port.
Result<EgressConfig> MakeEgressConfig(const policies::NetworkSpec& network);

// HTTP_PROXY, HTTPS_PROXY (and lower-case) pointing at the proxy, NO_PROXY for loopback.
std::vector<std::string> EgressProxyEnv(std::uint16_t proxy_port);

}  // namespace hotplex::supervisor
