// The dashboard's static files on the admin listener: GET /ui/ (index.html)
// and GET /ui/<file>, from the assets built into the binary. No token is
// needed for the files themselves; every data call the page makes carries the
// admin token. Each answer carries the dashboard's security headers (a strict
// Content-Security-Policy: no inline script or style, no framing).
// Thread-safety: pure functions.
#pragma once

#include <optional>

#include "api/http_response.hpp"

namespace hotplex::api {

// nullopt when the target is not under /ui; otherwise the answer (the file,
// 304, a redirect from /ui to /ui/, 404 or 405).
std::optional<HttpResponse> UiResponse(const HttpRequest& request);

}  // namespace hotplex::api
