// HttpConnection: one accepted TCP connection of the API or admin listener.
//
// Reads requests (header and body limits and a read deadline always set),
// authenticates, routes, and either answers them (keep-alive loop), turns the
// connection into an SSE stream, or upgrades it to a WebSocket session.
// A 401 is audited as `auth.failure`, aggregated per client address
// (supervisor/auth_failure_log.hpp).
// Errors are JSON bodies: 400 bad request, 401 missing or wrong key, 404
// unknown route or session (another tenant's included), 405 wrong method,
// 413 body over the limit.
// Thread-safety: the coroutine runs on the connection's own strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/api_context.hpp"

namespace hotplex::api {

// The admin listener's connections are AdminConnections (admin_connection.hpp).
enum class Listener { kApi, kAdmin };

boost::asio::awaitable<void> ServeHttpConnection(boost::asio::ip::tcp::socket socket,
                                                 ApiContext& ctx, Listener listener);

}  // namespace hotplex::api
