// The REST routes of /v1/sessions (everything except the SSE stream and the
// WebSocket): decode the body, call the SessionManager, encode the answer.
// Runs on the connection's executor. A create, or a prompt to a stopped
// session, launches a sandbox: that work runs on the SessionManager's Launcher
// and is co_awaited, so the I/O thread serves other connections meanwhile.
// Thread-safety: stateless; ApiContext is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "api/api_context.hpp"
#include "api/http_response.hpp"
#include "api/router.hpp"

namespace hotplex::api {

boost::asio::awaitable<HttpResponse> HandleSessionRoute(ApiContext& ctx,
                                                        const supervisor::Tenant& tenant,
                                                        const Route& route,
                                                        const HttpRequest& request);

}  // namespace hotplex::api
