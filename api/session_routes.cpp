#include "api/session_routes.hpp"

#include "api/event_json.hpp"
#include "api/request_json.hpp"

namespace hotplex::api {
namespace {

using nlohmann::json;
namespace sv = supervisor;

HttpResponse BadRequestResponse(const HttpRequest& req, std::string message) {
  return ErrorResponse(http::status::bad_request, "bad_request", std::move(message), req.version(),
                       req.keep_alive());
}

HttpResponse Ok(const HttpRequest& req, http::status status, const json& body) {
  return JsonResponse(status, body, req.version(), req.keep_alive());
}

HttpResponse CreateSession(ApiContext& ctx, const sv::Tenant& tenant, const HttpRequest& req) {
  auto body = ParseJsonObject(req.body());
  if (!body) return BadRequestResponse(req, body.error().message);
  auto create = ParseCreateRequest(*body);
  if (!create) return BadRequestResponse(req, create.error().message);
  auto result = ctx.sessions.Create(tenant, *create);
  if (!result) return SupervisorErrorResponse(result.error(), req);
  return Ok(req, result->created ? http::status::created : http::status::ok,
            SessionToJson(result->session->Snapshot()));
}

HttpResponse ListSessions(ApiContext& ctx, const sv::Tenant& tenant, const HttpRequest& req) {
  json list = json::array();
  for (const auto& s : ctx.sessions.List(tenant)) list.push_back(SessionToJson(s->Snapshot()));
  return Ok(req, http::status::ok, {{"sessions", std::move(list)}});
}

HttpResponse PostMessage(sv::Session& session, const HttpRequest& req) {
  auto body = ParseJsonObject(req.body());
  if (!body) return BadRequestResponse(req, body.error().message);
  auto text = ParsePromptText(*body);
  if (!text) return BadRequestResponse(req, text.error().message);
  auto turn = session.SendMessage(*text);
  if (!turn) return SupervisorErrorResponse(turn.error(), req);
  return Ok(req, http::status::accepted, {{"turn", *turn}});
}

HttpResponse AnswerPermission(sv::Session& session, const Route& route, const HttpRequest& req) {
  auto body = ParseJsonObject(req.body());
  if (!body) return BadRequestResponse(req, body.error().message);
  auto answer = ParsePermissionAnswer(*body);
  if (!answer) return BadRequestResponse(req, answer.error().message);
  auto done = session.AnswerPermission(route.request_id, answer->allow, answer->message);
  if (!done) return SupervisorErrorResponse(done.error(), req);
  return Ok(req, http::status::ok,
            {{"request_id", route.request_id}, {"behavior", answer->allow ? "allow" : "deny"}});
}

}  // namespace

HttpResponse HandleSessionRoute(ApiContext& ctx, const sv::Tenant& tenant, const Route& route,
                                const HttpRequest& req) {
  if (route.id == RouteId::kSessions) {
    return req.method() == http::verb::post ? CreateSession(ctx, tenant, req)
                                            : ListSessions(ctx, tenant, req);
  }
  if (route.id == RouteId::kSession && req.method() == http::verb::delete_) {
    auto deleted = ctx.sessions.Delete(tenant, route.session_id);
    if (!deleted) return SupervisorErrorResponse(deleted.error(), req);
    return Ok(req, http::status::ok, {{"id", route.session_id}, {"state", "dead"}});
  }
  auto session = ctx.sessions.Get(tenant, route.session_id);
  if (!session) return SupervisorErrorResponse(session.error(), req);
  switch (route.id) {
    case RouteId::kSession:
      return Ok(req, http::status::ok, SessionToJson((*session)->Snapshot()));
    case RouteId::kMessages:
      return PostMessage(**session, req);
    case RouteId::kInterrupt: {
      auto done = (*session)->Interrupt();
      if (!done) return SupervisorErrorResponse(done.error(), req);
      return Ok(req, http::status::accepted, {{"interrupted", true}});
    }
    case RouteId::kPermission:
      return AnswerPermission(**session, route, req);
    default:
      return ErrorResponse(http::status::not_found, "not_found", "no such route", req.version(),
                           req.keep_alive());
  }
}

}  // namespace hotplex::api
