#include "api/admin_routes.hpp"

#include <algorithm>

#include "api/admin_query.hpp"
#include "api/event_json.hpp"
#include "api/request_json.hpp"
#include "supervisor/agent_process.hpp"
#include "supervisor/metrics/metrics.hpp"
#include "supervisor/metrics/process_stats.hpp"
#include "supervisor/stop_reason.hpp"

namespace hotplex::api {
namespace sv = supervisor;
using nlohmann::json;

namespace {

HttpResponse QueryError(const HttpRequest& req, const AdminQueryError& e) {
  return AdminError(req, http::status::bad_request, e.code, e.message);
}

bool Matches(const SessionFilter& f, const sv::Session& s, const sv::SessionRecord& r) {
  return (f.tenant.empty() || s.TenantId() == f.tenant) && (!f.state || r.state == *f.state) &&
         (f.policy.empty() || r.policy == f.policy) && (f.after_id.empty() || r.id > f.after_id);
}

HttpResponse ListSessions(ApiContext& ctx, const Route& route, const HttpRequest& req) {
  auto filter = ParseSessionFilter(route.query);
  if (!filter) return QueryError(req, filter.error());
  auto all = ctx.sessions.ListAll();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->Id() < b->Id(); });
  json list = json::array();
  json next = nullptr;
  for (const auto& s : all) {
    if (!Matches(*filter, *s, s->Snapshot())) continue;
    if (list.size() == filter->limit) {
      next = list.back()["id"];
      break;
    }
    list.push_back(AdminSessionJson(*s));
  }
  return AdminOk(req, {{"sessions", std::move(list)}, {"next_cursor", std::move(next)}});
}

HttpResponse GetSession(ApiContext& ctx, const Route& route, const HttpRequest& req) {
  auto session = ctx.sessions.GetAny(route.session_id);
  if (!session) return SupervisorErrorResponse(session.error(), req);
  return AdminOk(req, AdminSessionJson(**session));
}

HttpResponse KillSession(ApiContext& ctx, const Route& route, const HttpRequest& req,
                         const AdminCaller& caller) {
  auto killed = ctx.sessions.Kill(route.session_id);
  if (!killed) {
    AuditAdminAction(ctx, caller, "session.kill", route.session_id, 404, "not_found");
    return SupervisorErrorResponse(killed.error(), req);
  }
  // The session.killed record itself is written by Session::Delete (StopReason::kKilledByAdmin).
  AuditAdminAction(ctx, caller, "session.kill", route.session_id, 200, "ok");
  return AdminOk(req, {{"id", route.session_id},
                       {"state", "dead"},
                       {"reason", sv::StopReasonText(sv::StopReason::kKilledByAdmin)}});
}

HttpResponse Tenants(ApiContext& ctx, const HttpRequest& req) {
  std::map<std::string, std::size_t> counts;
  for (const auto& s : ctx.sessions.ListAll()) ++counts[s->TenantId()];
  json list = json::array();
  for (const auto& t : ctx.tenants.All()) {
    list.push_back({{"id", t.id},
                    {"team", t.team},
                    {"workspace_root", t.workspace_root},
                    {"uid", t.uid},
                    {"gid", t.gid},
                    {"sessions", counts[t.id]}});
  }
  return AdminOk(req, {{"tenants", std::move(list)}});
}

json SessionBreakdown(ApiContext& ctx) {
  json by_state = json::object(), by_backend = json::object(), by_tenant = json::object();
  const auto all = ctx.sessions.ListAll();
  for (const auto& s : all) {
    const auto state = sv::SessionStateName(s->Snapshot().state);
    by_state[state] = by_state.value(state, 0) + 1;
    by_backend[s->Policy().backend_name] = by_backend.value(s->Policy().backend_name, 0) + 1;
    by_tenant[s->TenantId()] = by_tenant.value(s->TenantId(), 0) + 1;
  }
  return {{"total", all.size()},
          {"by_state", std::move(by_state)},
          {"by_backend", std::move(by_backend)},
          {"by_tenant", std::move(by_tenant)}};
}

HttpResponse Stats(ApiContext& ctx, const HttpRequest& req) {
  const auto process = sv::ReadProcessStats();
  const auto load = sv::ReadLoadAverage();
  const std::chrono::duration<double> uptime = std::chrono::steady_clock::now() - ctx.started;
  return AdminOk(req, {{"uptime_s", uptime.count()},
                       {"draining", ctx.sessions.Draining()},
                       {"ready", ctx.ready.load() && !ctx.stopping.load()},
                       {"sessions", SessionBreakdown(ctx)},
                       {"sandboxes_alive", sv::AgentProcess::LiveCount()},
                       {"process",
                        {{"rss_bytes", process.rss_bytes},
                         {"open_fds", process.open_fds},
                         {"threads", process.threads}}},
                       {"load", load},
                       {"audit", {{"healthy", ctx.audit ? json(ctx.audit->Healthy()) : json()}}}});
}

HttpResponse Drain(ApiContext& ctx, const HttpRequest& req, const AdminCaller& caller) {
  bool drain = true;
  if (!req.body().empty()) {
    auto body = ParseJsonObject(req.body());
    if (!body || (body->contains("drain") && !(*body)["drain"].is_boolean())) {
      return AdminError(req, http::status::bad_request, "bad_request",
                        "body must be empty or {\"drain\":true|false}");
    }
    drain = body->value("drain", true);
  }
  ctx.sessions.SetDraining(drain);
  AuditAdminAction(ctx, caller, drain ? "drain" : "undrain", "", 200, "ok");
  return AdminOk(req, {{"draining", drain}, {"sessions", ctx.sessions.Count()}});
}

HttpResponse Metrics(ApiContext& ctx, const HttpRequest& req) {
  sv::SessionCounts counts;
  for (const auto& s : ctx.sessions.ListAll()) {
    ++counts[{sv::SessionStateName(s->Snapshot().state), s->TenantId(), s->Policy().backend_name}];
  }
  if (ctx.audit != nullptr) sv::Metrics::Global().AuditHealthy(ctx.audit->Healthy());
  HttpResponse res{http::status::ok, req.version()};
  res.set(http::field::server, "hotplexd");
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.keep_alive(req.keep_alive());
  res.body() = sv::Metrics::Global().Expose(counts, sv::ReadProcessStats());
  res.prepare_payload();
  return res;
}

HttpResponse Health(ApiContext& ctx, const Route& route, const HttpRequest& req) {
  if (route.id == RouteId::kHealthz) return AdminOk(req, {{"status", "ok"}});
  const bool draining = ctx.sessions.Draining();
  const bool ready = ctx.ready.load() && !ctx.stopping.load() && !draining;
  return AdminOk(req,
                 {{"status", ready      ? "ready"
                             : draining ? "draining"
                                        : "not_ready"}},
                 ready ? http::status::ok : http::status::service_unavailable);
}

}  // namespace

HttpResponse AdminError(const HttpRequest& req, http::status status, std::string code,
                        std::string message) {
  return ErrorResponse(status, std::move(code), std::move(message), req.version(),
                       req.keep_alive());
}

HttpResponse AdminOk(const HttpRequest& req, const json& body, http::status status) {
  return JsonResponse(status, body, req.version(), req.keep_alive());
}

json AdminSessionJson(const sv::Session& session) {
  json j = SessionToJson(session.Snapshot());
  j["tenant"] = session.TenantId();
  j["backend"] = session.Policy().backend_name;
  j["running"] = session.Running();
  return j;
}

void AuditAdminAction(ApiContext& ctx, const AdminCaller& caller, std::string_view action,
                      std::string_view target, int status, std::string_view result) {
  if (ctx.audit == nullptr) return;
  ctx.audit->Append(
      {sv::audit_type::kAdminAction,
       "",
       "",
       caller.Actor(),
       {{"action", action}, {"target", target}, {"status", status}, {"result", result}}},
      nullptr);
}

HttpResponse HandleAdminRoute(ApiContext& ctx, const Route& route, const HttpRequest& req,
                              const AdminCaller& caller) {
  switch (route.id) {
    case RouteId::kHealthz:
    case RouteId::kReadyz: return Health(ctx, route, req);
    case RouteId::kMetrics: return Metrics(ctx, req);
    case RouteId::kAdminSessions: return ListSessions(ctx, route, req);
    case RouteId::kAdminSession: return GetSession(ctx, route, req);
    case RouteId::kAdminSessionKill: return KillSession(ctx, route, req, caller);
    case RouteId::kAdminTenants: return Tenants(ctx, req);
    case RouteId::kAdminStats: return Stats(ctx, req);
    case RouteId::kAdminDrain: return Drain(ctx, req, caller);
    case RouteId::kAdminPolicies:
    case RouteId::kAdminPoliciesReload:
    case RouteId::kAdminPoliciesValidate: return HandlePolicyRoute(ctx, route, req, caller);
    case RouteId::kAdminAudit:
    case RouteId::kAdminAuditVerify:
    case RouteId::kAdminTranscript: return HandleAuditRoute(ctx, route, req, caller);
    default: break;
  }
  return AdminError(req, http::status::not_found, "not_found", "no such route");
}

}  // namespace hotplex::api
