// The admin policy routes: list (with each file's validation errors), reload,
// validate a body. Uses the policy engine directly (policies/).
#include <algorithm>
#include <filesystem>

#include "api/admin_routes.hpp"
#include "policies/policy_loader.hpp"
#include "policies/policy_store.hpp"
#include "supervisor/audit/audit.hpp"

namespace hotplex::api {
namespace pol = policies;
namespace sv = supervisor;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json DiagnosticJson(const pol::Diagnostic& d) {
  return {{"file", d.file},
          {"line", d.line},
          {"column", d.column},
          {"path", d.path},
          {"message", d.message}};
}

json DiagnosticsJson(const std::vector<pol::Diagnostic>& list) {
  json out = json::array();
  for (const auto& d : list) out.push_back(DiagnosticJson(d));
  return out;
}

// The file a policy was loaded from, or "<builtin>".
std::string SourceOf(const std::string& dir, const std::string& name) {
  if (dir.empty()) return "<builtin>";
  for (const char* ext : {".yaml", ".yml"}) {
    const fs::path path = fs::path(dir) / (name + ext);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path.string();
  }
  return "<builtin>";
}

bool FileOf(const pol::Diagnostic& d, const std::string& name) {
  return fs::path(d.file).stem().string() == name;
}

HttpResponse ListPolicies(ApiContext& ctx, const HttpRequest& req) {
  const auto report = ctx.policy_store->LastReport();
  json list = json::array();
  auto names = ctx.policy_store->Names();
  for (const auto& failed : report.failed) {
    if (std::find(names.begin(), names.end(), failed) == names.end()) names.push_back(failed);
  }
  for (const auto& name : names) {
    json errors = json::array();
    for (const auto& d : report.diagnostics) {
      if (FileOf(d, name)) errors.push_back(DiagnosticJson(d));
    }
    const auto policy = ctx.policy_store->Get(name);
    const bool failed =
        std::find(report.failed.begin(), report.failed.end(), name) != report.failed.end();
    list.push_back(
        {{"name", name},
         {"source", SourceOf(ctx.policy_dir, name)},
         {"backend", policy ? json(pol::BackendName(policy->Spec().sandbox.backend)) : json()},
         {"loaded", policy != nullptr},
         {"valid", !failed},
         {"errors", std::move(errors)}});
  }
  return AdminOk(req,
                 {{"policies", std::move(list)}, {"errors", DiagnosticsJson(report.diagnostics)}});
}

HttpResponse Reload(ApiContext& ctx, const HttpRequest& req, const AdminCaller& caller) {
  const auto report = ctx.policy_store->Reload();
  json body = {{"ok", report.Ok()},
               {"loaded", report.loaded},
               {"failed", report.failed},
               {"removed", report.removed},
               {"errors", DiagnosticsJson(report.diagnostics)}};
  if (ctx.audit != nullptr) ctx.audit->Append(PolicyReloadRecord(report, caller.Actor()), nullptr);
  AuditAdminAction(ctx, caller, "policies.reload", "", 200, report.Ok() ? "ok" : "invalid");
  return AdminOk(req, body);
}

HttpResponse Validate(ApiContext& ctx, const Route& route, const HttpRequest& req,
                      const AdminCaller& caller) {
  std::string name = QueryParam(route.query, "name").value_or("request");
  if (name.empty() || name.size() > 64 || name.find('/') != std::string::npos) name = "request";
  auto loaded = pol::LoadPolicyText(req.body(), name, ctx.policy_dir);
  json errors = loaded ? json::array() : DiagnosticsJson(loaded.error());
  AuditAdminAction(ctx, caller, "policies.validate", name, 200, loaded ? "ok" : "invalid");
  return AdminOk(req, {{"valid", loaded.has_value()}, {"errors", std::move(errors)}});
}

}  // namespace

HttpResponse HandlePolicyRoute(ApiContext& ctx, const Route& route, const HttpRequest& req,
                               const AdminCaller& caller) {
  if (ctx.policy_store == nullptr) {
    return AdminError(req, http::status::service_unavailable, "policies_unavailable",
                      "this daemon was started without a policy store");
  }
  if (route.id == RouteId::kAdminPolicies) return ListPolicies(ctx, req);
  if (route.id == RouteId::kAdminPoliciesReload) return Reload(ctx, req, caller);
  return Validate(ctx, route, req, caller);
}

sv::AuditRecord PolicyReloadRecord(const policies::ReloadReport& report, std::string actor) {
  return {report.Ok() ? sv::audit_type::kPolicyReload : sv::audit_type::kPolicyInvalid,
          "",
          "",
          std::move(actor),
          {{"loaded", report.loaded},
           {"failed", report.failed},
           {"removed", report.removed},
           {"errors", report.diagnostics.size()}}};
}

}  // namespace hotplex::api
