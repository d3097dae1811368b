// The REST routes of /v1/sessions (everything except the SSE stream and the
// WebSocket): decode the body, call the SessionManager, encode the answer.
// Runs on the connection's strand; may launch a sandbox (an io thread is a
// long-lived thread, as AgentProcess requires).
// Thread-safety: stateless; ApiContext is thread-safe.
#pragma once

#include "api/api_context.hpp"
#include "api/http_response.hpp"
#include "api/router.hpp"

namespace hotplex::api {

HttpResponse HandleSessionRoute(ApiContext& ctx, const supervisor::Tenant& tenant,
                                const Route& route, const HttpRequest& request);

}  // namespace hotplex::api
