// AdminConnection: one accepted connection of the admin listener, over plain
// TCP or TLS (when the daemon has an admin certificate).
//
// Reads requests (header and body limits and a read deadline always set),
// answers /healthz, /readyz and the dashboard's files (/ui/, ui_routes.hpp)
// without a token, authenticates everything else
// with the admin token (a failure is a 401, audited as `auth.failure` records
// aggregated per client address: supervisor/auth_failure_log.hpp),
// then answers the JSON routes (admin_routes.hpp) in a keep-alive loop or
// hands the connection to a streaming route (admin_streams.hpp).
// Thread-safety: the coroutine runs on the connection's own strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/api_context.hpp"

namespace boost::asio::ssl {
class context;
}

namespace hotplex::api {

// `tls` null: plain HTTP.
boost::asio::awaitable<void> ServeAdminConnection(boost::asio::ip::tcp::socket socket,
                                                  ApiContext& ctx, boost::asio::ssl::context* tls);

}  // namespace hotplex::api
