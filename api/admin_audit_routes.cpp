// The admin audit routes (query, verify) and transcript pages. The streaming
// ones (export, transcript follow) are in admin_streams.cpp.
#include "api/admin_query.hpp"
#include "api/admin_routes.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::api {
namespace sv = supervisor;
using nlohmann::json;

namespace {

constexpr std::uint64_t kTranscriptPageMax = 10000;

HttpResponse Unavailable(const HttpRequest& req, const char* what) {
  return AdminError(req, http::status::service_unavailable, "audit_unavailable",
                    std::string("the ") + what + " is not open in this daemon");
}

HttpResponse Query(ApiContext& ctx, const Route& route, const HttpRequest& req,
                   const AdminCaller& caller) {
  auto filter = ParseAuditFilter(route.query, true);
  if (!filter) {
    return AdminError(req, http::status::bad_request, filter.error().code, filter.error().message);
  }
  auto page = ctx.audit_reader->Query(*filter);
  if (!page) {
    return AdminError(req, http::status::internal_server_error, "internal",
                      page.error().Describe());
  }
  json entries = json::array();
  for (const auto& e : page->entries) entries.push_back(sv::AuditEntryToJson(e));
  json next = page->next_after ? json(std::to_string(*page->next_after)) : json();
  AuditAdminAction(ctx, caller, "audit.query", route.query, 200, "ok");
  return AdminOk(req, {{"entries", std::move(entries)}, {"next_cursor", std::move(next)}});
}

HttpResponse Verify(ApiContext& ctx, const HttpRequest& req, const AdminCaller& caller) {
  auto report = ctx.audit_reader->Verify();
  if (!report) {
    return AdminError(req, http::status::internal_server_error, "internal",
                      report.error().Describe());
  }
  AuditAdminAction(ctx, caller, "audit.verify", "", 200, report->ok ? "ok" : "broken");
  return AdminOk(req, sv::AuditVerifyReportToJson(*report));
}

HttpResponse TranscriptPage(ApiContext& ctx, const Route& route, const HttpRequest& req,
                            const AdminCaller& caller) {
  auto params = ParseQuery(route.query, {"after", "limit", "follow"});
  if (!params) {
    return AdminError(req, http::status::bad_request, params.error().code, params.error().message);
  }
  std::uint64_t after = 0;
  std::uint64_t limit = 1000;
  if (auto it = params->find("after"); it != params->end()) {
    auto n = ParseCount(it->second);
    if (!n) return AdminError(req, http::status::bad_request, "bad_filter", "after must be a seq");
    after = *n;
  }
  if (auto it = params->find("limit"); it != params->end()) {
    auto n = ParseCount(it->second);
    if (!n || *n < 1 || *n > kTranscriptPageMax) {
      return AdminError(req, http::status::bad_request, "bad_filter",
                        "limit must be an integer in 1..10000");
    }
    limit = *n;
  }
  json events = json::array();
  auto last = ctx.transcripts->Read(route.session_id, after, [&](std::string_view line) {
    events.push_back(json::parse(line, nullptr, false));
    return events.size() < limit;
  });
  const bool known = ctx.sessions.GetAny(route.session_id).has_value();
  if (!last && !known) {
    return AdminError(req, http::status::not_found, "not_found", "no such session or transcript");
  }
  if (!last) {
    return AdminError(req, http::status::internal_server_error, "internal",
                      last.error().Describe());
  }
  if (!known && events.empty() && after == 0) {
    return AdminError(req, http::status::not_found, "not_found", "no such session or transcript");
  }
  json next = events.size() == limit ? json(*last) : json();
  AuditAdminAction(ctx, caller, "session.transcript", route.session_id, 200, "ok");
  return AdminOk(req, {{"events", std::move(events)}, {"next_after", std::move(next)}});
}

}  // namespace

HttpResponse HandleAuditRoute(ApiContext& ctx, const Route& route, const HttpRequest& req,
                              const AdminCaller& caller) {
  if (route.id == RouteId::kAdminTranscript) {
    if (ctx.transcripts == nullptr) return Unavailable(req, "transcript store");
    return TranscriptPage(ctx, route, req, caller);
  }
  if (ctx.audit_reader == nullptr) return Unavailable(req, "audit store");
  if (route.id == RouteId::kAdminAudit) return Query(ctx, route, req, caller);
  return Verify(ctx, req, caller);
}

}  // namespace hotplex::api
