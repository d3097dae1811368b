#include "api/session_routes.hpp"

#include <functional>

#include <boost/asio/use_awaitable.hpp>

#include "api/event_json.hpp"
#include "api/request_json.hpp"
#include "supervisor/launcher.hpp"

namespace hotplex::api {
namespace {

using nlohmann::json;
namespace asio = boost::asio;
namespace sv = supervisor;

HttpResponse BadRequestResponse(const HttpRequest& req, std::string message) {
  return ErrorResponse(http::status::bad_request, "bad_request", std::move(message), req.version(),
                       req.keep_alive());
}

HttpResponse Ok(const HttpRequest& req, http::status status, const json& body) {
  return JsonResponse(status, body, req.version(), req.keep_alive());
}

// The create (and its sandbox launch) runs on a launcher thread; this I/O
// thread serves other requests meanwhile.
asio::awaitable<HttpResponse> CreateSession(ApiContext& ctx, const sv::Tenant& tenant,
                                            const HttpRequest& req) {
  auto body = ParseJsonObject(req.body());
  if (!body) co_return BadRequestResponse(req, body.error().message);
  auto create = ParseCreateRequest(*body);
  if (!create) co_return BadRequestResponse(req, create.error().message);
  sv::SessionManager& sessions = ctx.sessions;
  // A named local, not a temporary in the co_await expression: GCC 12 destroys
  // such temporaries twice.
  std::function<sv::SvResult<sv::CreateResult>()> work =
      [&sessions, tenant, create = std::move(*create)] { return sessions.Create(tenant, create); };
  auto result = co_await sv::AsyncLaunch<sv::CreateResult>(sessions.Launches(), std::move(work),
                                                           asio::use_awaitable);
  if (!result) co_return SupervisorErrorResponse(result.error(), req);
  co_return Ok(req, result->created ? http::status::created : http::status::ok,
               SessionToJson(result->session->Snapshot()));
}

HttpResponse ListSessions(ApiContext& ctx, const sv::Tenant& tenant, const HttpRequest& req) {
  json list = json::array();
  for (const auto& s : ctx.sessions.List(tenant)) list.push_back(SessionToJson(s->Snapshot()));
  return Ok(req, http::status::ok, {{"sessions", std::move(list)}});
}

// A prompt to a stopped session restarts its agent on a launcher thread.
asio::awaitable<HttpResponse> PostMessage(ApiContext& ctx, sv::SessionPtr session,
                                          const HttpRequest& req) {
  auto body = ParseJsonObject(req.body());
  if (!body) co_return BadRequestResponse(req, body.error().message);
  auto text = ParsePromptText(*body);
  if (!text) co_return BadRequestResponse(req, text.error().message);
  auto turn = session->SendIfRunning(*text);
  if (!turn) {
    std::function<sv::SvResult<std::uint64_t>()> work = [session, text = std::string(*text)] {
      return session->SendMessage(text);
    };
    turn = co_await sv::AsyncLaunch<std::uint64_t>(ctx.sessions.Launches(), std::move(work),
                                                   asio::use_awaitable);
  }
  if (!*turn) co_return SupervisorErrorResponse(turn->error(), req);
  co_return Ok(req, http::status::accepted, {{"turn", **turn}});
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

// The routes that never launch: answered on the I/O thread.
HttpResponse HandleQuickRoute(ApiContext& ctx, const sv::Tenant& tenant, const Route& route,
                              const HttpRequest& req) {
  if (route.id == RouteId::kSessions) return ListSessions(ctx, tenant, req);
  if (route.id == RouteId::kSession && req.method() == http::verb::delete_) {
    auto deleted = ctx.sessions.Delete(tenant, route.session_id);
    if (!deleted) return SupervisorErrorResponse(deleted.error(), req);
    return Ok(req, http::status::ok, {{"id", route.session_id}, {"state", "dead"}});
  }
  auto session = ctx.sessions.Get(tenant, route.session_id);
  if (!session) return SupervisorErrorResponse(session.error(), req);
  switch (route.id) {
    case RouteId::kSession: return Ok(req, http::status::ok, SessionToJson((*session)->Snapshot()));
    case RouteId::kInterrupt: {
      auto done = (*session)->Interrupt();
      if (!done) return SupervisorErrorResponse(done.error(), req);
      return Ok(req, http::status::accepted, {{"interrupted", true}});
    }
    case RouteId::kPermission: return AnswerPermission(**session, route, req);
    default:
      return ErrorResponse(http::status::not_found, "not_found", "no such route", req.version(),
                           req.keep_alive());
  }
}

}  // namespace

asio::awaitable<HttpResponse> HandleSessionRoute(ApiContext& ctx, const sv::Tenant& tenant,
                                                 const Route& route, const HttpRequest& req) {
  if (route.id == RouteId::kSessions && req.method() == http::verb::post) {
    co_return co_await CreateSession(ctx, tenant, req);
  }
  if (route.id == RouteId::kMessages) {
    auto session = ctx.sessions.Get(tenant, route.session_id);
    if (!session) co_return SupervisorErrorResponse(session.error(), req);
    co_return co_await PostMessage(ctx, std::move(*session), req);
  }
  co_return HandleQuickRoute(ctx, tenant, route, req);
}

}  // namespace hotplex::api
