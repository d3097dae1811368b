// ForwardCall: one request relayed to the upstream and its response streamed
// back to the agent as the bytes arrive (no buffering beyond one 16 KiB read:
// a read of the upstream is followed by a write to the client before the next
// read), the body fed to the dialect's usage parser after each write. Plain
// HTTP or TLS (SNI, peer verification against the gateway's CA store and the
// host name). The request's token headers are replaced by the real
// credential; hop-by-hop headers and Accept-Encoding are dropped (the usage
// parser reads the body as sent, so it must not be compressed).
// Thread-safety: runs on the connection's strand.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "supervisor/gateway/gateway_config.hpp"

namespace hotplex::gateway {

struct GatewayState;

struct ForwardOutcome {
  int status = 502;              // what the agent got
  bool client_ok = true;         // false: the agent connection is broken, end it
  bool upstream_failed = false;  // no response came: a 502/504 was sent instead
  CallUsage usage;
  std::chrono::microseconds first_byte{0};
};

// `upstream_slot` points at the upstream connection while the call runs, so the
// owner can close it.
boost::asio::awaitable<ForwardOutcome> ForwardCall(
    const GatewayState& state, boost::beast::tcp_stream& client,
    boost::beast::http::request<boost::beast::http::string_body> request, bool keep_alive,
    boost::beast::tcp_stream*& upstream_slot);

}  // namespace hotplex::gateway
