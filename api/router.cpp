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

RouteMatch MatchAdminRoute(std::string_view method, std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  if (path == "/healthz") return Check(method, "GET", RouteId::kHealthz);
  if (path == "/readyz") return Check(method, "GET", RouteId::kReadyz);
  return {};
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
