#include "api/http_response.hpp"

#include "api/event_json.hpp"

namespace hotplex::api {

HttpResponse JsonResponse(http::status status, const nlohmann::json& body, unsigned version,
                          bool keep_alive) {
  HttpResponse res{status, version};
  res.set(http::field::server, "hotplexd");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = DumpJson(body) + "\n";
  res.prepare_payload();
  return res;
}

HttpResponse ErrorResponse(http::status status, std::string code, std::string message,
                           unsigned version, bool keep_alive) {
  return JsonResponse(status,
                      {{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}},
                      version, keep_alive);
}

http::status StatusFor(supervisor::ErrorKind kind) {
  using supervisor::ErrorKind;
  switch (kind) {
    case ErrorKind::kBadRequest: return http::status::bad_request;
    case ErrorKind::kNotFound: return http::status::not_found;
    case ErrorKind::kConflict: return http::status::conflict;
    case ErrorKind::kPromptTooLarge: return http::status::payload_too_large;
    case ErrorKind::kTooManySessions: return http::status::too_many_requests;
    case ErrorKind::kUnavailable: return http::status::service_unavailable;
    case ErrorKind::kAuditUnavailable: return http::status::service_unavailable;
    case ErrorKind::kDraining: return http::status::service_unavailable;
    case ErrorKind::kInternal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

HttpResponse SupervisorErrorResponse(const supervisor::SupervisorError& error,
                                     const HttpRequest& request) {
  return ErrorResponse(StatusFor(error.kind), supervisor::ErrorKindCode(error.kind), error.message,
                       request.version(), request.keep_alive());
}

}  // namespace hotplex::api
