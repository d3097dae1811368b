// Router: maps (method, target) to one of the API's routes.
//
//   POST|GET        /v1/sessions
//   GET|DELETE      /v1/sessions/{id}
//   POST            /v1/sessions/{id}/messages
//   POST            /v1/sessions/{id}/interrupt
//   POST            /v1/sessions/{id}/permissions/{request_id}
//   GET             /v1/sessions/{id}/events            (SSE)
//   GET             /ws/v1/agent                        (WebSocket upgrade)
//   GET             /healthz, /readyz, /metrics         (admin listener only)
//   ...             /admin/v1/...                       (admin listener only, api/ADMIN.md)
//
// A known path with another method is kMethodNotAllowed (with the Allow list);
// anything else kNotFound. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hotplex::api {

enum class RouteId {
  kSessions,
  kSession,
  kMessages,
  kInterrupt,
  kPermission,
  kEvents,
  kWebSocket,
  kHealthz,
  kReadyz,
  // Admin listener (api/ADMIN.md).
  kMetrics,
  kAdminSessions,
  kAdminSessionsWatch,
  kAdminSession,
  kAdminSessionKill,
  kAdminTranscript,
  kAdminAudit,
  kAdminAuditExport,
  kAdminAuditVerify,
  kAdminPolicies,
  kAdminPoliciesReload,
  kAdminPoliciesValidate,
  kAdminTenants,
  kAdminStats,
  kAdminDrain,
};

// A short stable name of a route ("admin.sessions.kill"), for metrics and audit.
const char* RouteName(RouteId id);

struct Route {
  RouteId id = RouteId::kSessions;
  std::string session_id;
  std::string request_id;
  std::string query;  // after '?', undecoded
};

enum class MatchResult { kFound, kNotFound, kMethodNotAllowed };

struct RouteMatch {
  MatchResult result = MatchResult::kNotFound;
  Route route;
  std::string allow;  // for kMethodNotAllowed, e.g. "GET, POST"
};

RouteMatch MatchApiRoute(std::string_view method, std::string_view target);
RouteMatch MatchAdminRoute(std::string_view method, std::string_view target);
// The value of `name` in a query string ("after=12&x=y"), percent-decoding not needed
// for the parameters the API defines (numbers).
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);

}  // namespace hotplex::api
