// HTTP message types of the API and the builders of its JSON responses.
// Every error body is {"error":{"code":"…","message":"…"}}.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "supervisor/supervisor_error.hpp"

namespace hotplex::api {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

HttpResponse JsonResponse(http::status status, const nlohmann::json& body, unsigned version,
                          bool keep_alive);
HttpResponse ErrorResponse(http::status status, std::string code, std::string message,
                           unsigned version, bool keep_alive);
http::status StatusFor(supervisor::ErrorKind kind);
HttpResponse SupervisorErrorResponse(const supervisor::SupervisorError& error,
                                     const HttpRequest& request);

}  // namespace hotplex::api
