// GatewayConfig: the daemon-wide settings of the model gateway (daemon config
// `model_gateway:`, api/CONFIG.md), and SessionGrant, what one session's
// policy allows it. CallRecord is what the gateway reports per call through
// GatewayHooks: the supervisor turns it into an audit record, metrics and
// events (the gateway knows neither the audit store nor sessions).
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "supervisor/gateway/budget_ledger.hpp"
#include "supervisor/gateway/model_dialect.hpp"

namespace hotplex::gateway {

// An upstream base URL split into what a connection needs.
struct UpstreamUrl {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  std::string base_path;  // without a trailing '/', "" for the root

  // "host" or "host:port" when the port is not the scheme's default.
  std::string HostHeader() const;
};

// http://host[:port][/path] or https://host[:port][/path]; no userinfo, query or fragment.
Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url);

struct GatewayConfig {
  UpstreamUrl upstream;
  std::string credential;  // the real key; never leaves the daemon but upstream
  // The loopback port of the gateway inside each sandbox (ANTHROPIC_BASE_URL).
  std::uint16_t port = 3180;
  std::size_t max_request_body_bytes = 32 * 1024 * 1024;
  std::size_t max_connections_per_session = 32;
  std::chrono::milliseconds connect_timeout{10'000};
  // Longest silence from the upstream in the middle of a response, and from an
  // idle keep-alive client between requests.
  std::chrono::milliseconds idle_timeout{300'000};
  // Extra CA file trusted for the upstream besides the system store ("" = none).
  std::string ca_file;
};

struct SessionGrant {
  std::string session_id;
  std::string tenant;
  CallLimits limits;
  TokenBudget budget;
};

// One request the gateway answered (model calls and refusals alike).
struct CallRecord {
  std::string session_id;
  std::string tenant;
  std::string method;
  std::string path;  // without the query
  bool metered = false;
  CallUsage usage;      // usage.model falls back to the requested model
  int status = 0;       // HTTP status the agent got
  std::string refusal;  // the gateway's refusal type ("" when forwarded)
  std::chrono::microseconds latency{0};
  std::chrono::microseconds first_byte{0};  // upstream time to first response byte
};

struct GatewayHooks {
  std::function<void(const CallRecord&)> on_call;
  // A call was refused because the tenant is over budget (message says which).
  std::function<void(const std::string& session_id, const std::string& message)> on_budget_exceeded;
};

}  // namespace hotplex::gateway
