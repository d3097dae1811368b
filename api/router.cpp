#include "api/router.hpp"

#include <vector>

namespace hotplex::api {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() != '/') return {};  // must start with '/', no empty segments
    path.remove_prefix(1);
    const auto slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (part.empty()) return {{"<invalid>"}};
    parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return parts;
}

RouteMatch Found(RouteId id) {
  RouteMatch m;
  m.result = MatchResult::kFound;
  m.route.id = id;
  return m;
}

RouteMatch Check(std::string_view method, std::string_view allowed_csv, RouteId id) {
  // allowed_csv is like "GET, POST": compare whole tokens.
  std::string_view rest = allowed_csv;
  while (!rest.empty()) {
    const auto comma = rest.find(", ");
    if (rest.substr(0, comma) == method) return Found(id);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 2);
  }
  RouteMatch m;
  m.result = MatchResult::kMethodNotAllowed;
  m.allow = std::string(allowed_csv);
  return m;
}

// Routes under /v1/sessions/{id}.
RouteMatch MatchSessionRoute(std::string_view method, const std::vector<std::string_view>& p) {
  RouteMatch m;
  if (p.size() == 3) {
    m = Check(method, "GET, DELETE", RouteId::kSession);
  } else if (p.size() == 4 && p[3] == "messages") {
    m = Check(method, "POST", RouteId::kMessages);
  } else if (p.size() == 4 && p[3] == "interrupt") {
    m = Check(method, "POST", RouteId::kInterrupt);
  } else if (p.size() == 4 && p[3] == "events") {
    m = Check(method, "GET", RouteId::kEvents);
  } else if (p.size() == 5 && p[3] == "permissions") {
    m = Check(method, "POST", RouteId::kPermission);
    m.route.request_id = std::string(p[4]);
  } else {
    return m;
  }
  m.route.session_id = std::string(p[2]);
  return m;
}

}  // namespace

RouteMatch MatchApiRoute(std::string_view method, std::string_view target) {
  const auto q = target.find('?');
  const std::string query(q == std::string_view::npos ? "" : target.substr(q + 1));
  const auto parts = SplitPath(target.substr(0, q));
  RouteMatch m;
  if (parts.size() == 3 && parts[0] == "ws" && parts[1] == "v1" && parts[2] == "agent") {
    m = Check(method, "GET", RouteId::kWebSocket);
  } else if (parts.size() == 2 && parts[0] == "v1" && parts[1] == "sessions") {
    m = Check(method, "GET, POST", RouteId::kSessions);
  } else if (parts.size() >= 3 && parts[0] == "v1" && parts[1] == "sessions") {
    m = MatchSessionRoute(method, parts);
  }
  m.route.query = query;
  return m;
}

namespace {

// Routes under /admin/v1/sessions/{id}.
RouteMatch MatchAdminSessionRoute(std::string_view method, const std::vector<std::string_view>& p) {
  RouteMatch m;
  if (p.size() == 4 && p[3] == "watch") return Check(method, "GET", RouteId::kAdminSessionsWatch);
  if (p.size() == 4) {
    m = Check(method, "GET", RouteId::kAdminSession);
  } else if (p.size() == 5 && p[4] == "kill") {
    m = Check(method, "POST", RouteId::kAdminSessionKill);
  } else if (p.size() == 5 && p[4] == "transcript") {
    m = Check(method, "GET", RouteId::kAdminTranscript);
  } else {
    return m;
  }
  m.route.session_id = std::string(p[3]);
  return m;
}

// /admin/v1/<rest>: the fixed routes (everything but sessions/{id}).
RouteMatch MatchAdminFixedRoute(std::string_view method, std::string_view rest) {
  struct Fixed {
    std::string_view path;
    std::string_view methods;
    RouteId id;
  };
  static constexpr Fixed kFixed[] = {
      {"sessions", "GET", RouteId::kAdminSessions},
      {"audit", "GET", RouteId::kAdminAudit},
      {"audit/export", "GET", RouteId::kAdminAuditExport},
      {"audit/verify", "GET", RouteId::kAdminAuditVerify},
      {"policies", "GET", RouteId::kAdminPolicies},
      {"policies/reload", "POST", RouteId::kAdminPoliciesReload},
      {"policies/validate", "POST", RouteId::kAdminPoliciesValidate},
      {"tenants", "GET", RouteId::kAdminTenants},
      {"stats", "GET", RouteId::kAdminStats},
      {"drain", "POST", RouteId::kAdminDrain},
  };
  for (const auto& f : kFixed) {
    if (rest == f.path) return Check(method, f.methods, f.id);
  }
  return {};
}

}  // namespace

RouteMatch MatchAdminRoute(std::string_view method, std::string_view target) {
  const auto q = target.find('?');
  const std::string query(q == std::string_view::npos ? "" : target.substr(q + 1));
  const auto path = target.substr(0, q);
  RouteMatch m;
  const auto parts = SplitPath(path);
  if (path == "/healthz") {
    m = Check(method, "GET", RouteId::kHealthz);
  } else if (path == "/readyz") {
    m = Check(method, "GET", RouteId::kReadyz);
  } else if (path == "/metrics") {
    m = Check(method, "GET", RouteId::kMetrics);
  } else if (parts.size() >= 4 && parts[0] == "admin" && parts[1] == "v1" &&
             parts[2] == "sessions") {
    m = MatchAdminSessionRoute(method, parts);
  } else if (path.starts_with("/admin/v1/") && parts.size() >= 3) {
    m = MatchAdminFixedRoute(method, path.substr(std::string_view("/admin/v1/").size()));
  }
  m.route.query = query;
  return m;
}

const char* RouteName(RouteId id) {
  switch (id) {
    case RouteId::kSessions: return "sessions";
    case RouteId::kSession: return "session";
    case RouteId::kMessages: return "messages";
    case RouteId::kInterrupt: return "interrupt";
    case RouteId::kPermission: return "permission";
    case RouteId::kEvents: return "events";
    case RouteId::kWebSocket: return "websocket";
    case RouteId::kHealthz: return "healthz";
    case RouteId::kReadyz: return "readyz";
    case RouteId::kMetrics: return "metrics";
    case RouteId::kAdminSessions: return "admin.sessions";
    case RouteId::kAdminSessionsWatch: return "admin.sessions.watch";
    case RouteId::kAdminSession: return "admin.session";
    case RouteId::kAdminSessionKill: return "admin.session.kill";
    case RouteId::kAdminTranscript: return "admin.session.transcript";
    case RouteId::kAdminAudit: return "admin.audit";
    case RouteId::kAdminAuditExport: return "admin.audit.export";
    case RouteId::kAdminAuditVerify: return "admin.audit.verify";
    case RouteId::kAdminPolicies: return "admin.policies";
    case RouteId::kAdminPoliciesReload: return "admin.policies.reload";
    case RouteId::kAdminPoliciesValidate: return "admin.policies.validate";
    case RouteId::kAdminTenants: return "admin.tenants";
    case RouteId::kAdminStats: return "admin.stats";
    case RouteId::kAdminDrain: return "admin.drain";
  }
  return "unknown";
}

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace hotplex::api
