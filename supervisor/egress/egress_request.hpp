// ProxyRequest: the head of one request a sandbox sends to its egress proxy,
// parsed strictly and checked before anything leaves the sandbox.
//
// Two forms are accepted: `CONNECT host:port HTTP/1.x` (authority form only: a
// TLS tunnel) and a plain-HTTP request with an absolute URI (`GET
// http://host[:port]/path HTTP/1.1`). The target's host and port become one
// canonical EgressTarget (egress_host.hpp) before any rule sees them. A plain
// request is rewritten to origin form (`GET /path HTTP/1.1`) with its Host
// header replaced by the decided target, hop-by-hop and Proxy-* headers
// dropped and `Connection: close` added; only its Content-Length body follows
// it upstream (one request per proxied connection: pipelined bytes are never
// forwarded). Anything else is a ProxyError with the status to answer.
// Thread-safety: pure functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "supervisor/egress/egress_host.hpp"

namespace hotplex::supervisor {

inline constexpr std::size_t kMaxProxyHeadBytes = 8 * 1024;         // then 431
inline constexpr std::size_t kMaxProxyRequestLineBytes = 4 * 1024;  // then 414

struct ProxyRequest {
  bool connect = false;          // CONNECT tunnel; else plain HTTP
  EgressTarget target;           // canonical: what the rules, the audit and the connection use
  std::string upstream_head;     // plain HTTP: the rewritten head to send upstream
  std::uint64_t body_bytes = 0;  // plain HTTP: its Content-Length; nothing after it is sent
};

struct ProxyError {
  int status = 400;
  std::string reason;  // "Bad Request"
  std::string body;    // one explanatory line
  std::string host;    // the requested authority, escaped for the audit ("" when none)
};

// Where the head ends: the offset just past "\r\n\r\n", or 0 when the buffer
// holds no complete head yet.
std::size_t FindHeadEnd(std::string_view buffer);

// Parses a complete head (through "\r\n\r\n").
std::variant<ProxyRequest, ProxyError> ParseProxyRequest(std::string_view head);

// A complete HTTP/1.1 response with a text/plain body and Connection: close.
std::string ProxyResponse(int status, std::string_view reason, std::string_view body);

}  // namespace hotplex::supervisor
