// ProxyRequest: the head of one request a sandbox sends to its egress proxy,
// parsed and checked before anything leaves the sandbox.
//
// Two forms are accepted: `CONNECT host:port HTTP/1.x` (a TLS tunnel) and a
// plain-HTTP request with an absolute URI (`GET http://host[:port]/path
// HTTP/1.1`), which is rewritten to origin form (`GET /path HTTP/1.1`), loses its
// Proxy-* headers and gets `Connection: close` (one request per proxied
// connection). Anything else is a ProxyError with the status to answer.
// Thread-safety: pure functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace hotplex::supervisor {

inline constexpr std::size_t kMaxProxyHeadBytes = 8 * 1024;

struct ProxyRequest {
  bool connect = false;   // CONNECT tunnel; else plain HTTP
  std::string host;       // as the client wrote it (not normalised)
  std::uint16_t port = 0;
  std::string upstream_head;  // plain HTTP: the rewritten head to send upstream
};

struct ProxyError {
  int status = 400;
  std::string reason;  // "Bad Request"
  std::string body;    // one explanatory line
};

// Where the head ends: the offset just past "\r\n\r\n", or 0 when the buffer
// holds no complete head yet.
std::size_t FindHeadEnd(std::string_view buffer);

// Parses a complete head (through "\r\n\r\n").
std::variant<ProxyRequest, ProxyError> ParseProxyRequest(std::string_view head);

// A complete HTTP/1.1 response with a text/plain body and Connection: close.
std::string ProxyResponse(int status, std::string_view reason, std::string_view body);

}  // namespace hotplex::supervisor
