// SendRefusal: the gateway's own answer to the agent (a refusal or an
// upstream failure) in the dialect's error shape, with `x-should-retry:
// false` except for upstream failures (the Anthropic SDKs retry 429 and 5xx
// unless told not to; a refusal will not change on a retry).
// Thread-safety: runs on the connection's strand.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "supervisor/gateway/model_dialect.hpp"

namespace hotplex::gateway {

// True when the answer was written and the connection may serve another request.
boost::asio::awaitable<bool> SendRefusal(boost::beast::tcp_stream& client,
                                         const ModelDialect& dialect, const Refusal& refusal,
                                         bool keep_alive, std::chrono::milliseconds timeout);

}  // namespace hotplex::gateway
