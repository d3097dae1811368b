// The admin API's JSON routes (api/ADMIN.md): sessions of every tenant, kill,
// tenants, stats, drain, health, metrics, policies, audit queries and
// transcript pages. The streaming routes (watch, transcript follow, audit
// export) are in admin_streams.hpp. Every state-changing action and every read
// of sensitive data is audited as admin.action.
// Thread-safety: stateless; ApiContext is thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/api_context.hpp"
#include "api/http_response.hpp"
#include "api/router.hpp"
#include "policies/policy_store.hpp"
#include "supervisor/audit/audit.hpp"
#include "supervisor/session.hpp"

namespace hotplex::api {

// Who sent an admin request.
struct AdminCaller {
  std::string token_id;  // empty: not authenticated
  std::string address;   // the peer's IP address
  std::string Actor() const {
    return (token_id.empty() ? "anonymous" : "admin:" + token_id) + "@" + address;
  }
};

HttpResponse HandleAdminRoute(ApiContext& ctx, const Route& route, const HttpRequest& req,
                              const AdminCaller& caller);
// The policy routes (admin_policy_routes.cpp).
// The policy.reload (or policy.invalid, when a file was rejected) record of a
// reload done by `actor` (an admin, or "policy-watcher" for the file watcher).
supervisor::AuditRecord PolicyReloadRecord(const policies::ReloadReport& report, std::string actor);
HttpResponse HandlePolicyRoute(ApiContext& ctx, const Route& route, const HttpRequest& req,
                               const AdminCaller& caller);
// The audit query/verify routes and transcript pages (admin_audit_routes.cpp).
HttpResponse HandleAuditRoute(ApiContext& ctx, const Route& route, const HttpRequest& req,
                              const AdminCaller& caller);

// The tenant API's session object plus tenant, backend and running.
nlohmann::json AdminSessionJson(const supervisor::Session& session);
// Queues an admin.action audit record (no-op without an audit sink).
void AuditAdminAction(ApiContext& ctx, const AdminCaller& caller, std::string_view action,
                      std::string_view target, int status, std::string_view result);
HttpResponse AdminError(const HttpRequest& req, http::status status, std::string code,
                        std::string message);
HttpResponse AdminOk(const HttpRequest& req, const nlohmann::json& body,
                     http::status status = http::status::ok);

}  // namespace hotplex::api
