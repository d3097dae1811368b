// Client authentication: `Authorization: Bearer <key>` on every /v1 route and
// the WebSocket; browsers, which cannot set headers on a WebSocket, offer the
// subprotocol `hotplex.bearer.<key>` instead (the server answers with the
// subprotocol `hotplex.v1`). Key comparison is constant-time (TenantRegistry).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hotplex::api {

inline constexpr std::string_view kWebSocketProtocol = "hotplex.v1";
inline constexpr std::string_view kBearerProtocolPrefix = "hotplex.bearer.";

// The key of "Bearer <key>" (scheme case-insensitive), or nullopt.
std::optional<std::string> BearerToken(std::string_view authorization);
// The key from a Sec-WebSocket-Protocol list ("hotplex.v1, hotplex.bearer.KEY").
std::optional<std::string> WebSocketBearer(std::string_view protocols);

}  // namespace hotplex::api
