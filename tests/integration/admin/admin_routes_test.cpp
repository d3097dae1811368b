// The admin API against an in-process daemon: every route, its errors, the
// audit of authentication failures and admin actions, drain, metrics.
#include <sys/stat.h>

#include <map>
#include <thread>

#include "tests/integration/admin/admin_fixture.hpp"

namespace hotplex::testing {
namespace {

// The failures the auth.failure records stand for (each record's `count`).
std::uint64_t CountOf(const std::vector<json>& records) {
  std::uint64_t total = 0;
  for (const auto& r : records) total += r["data"].value("count", std::uint64_t{1});
  return total;
}

class AdminRoutes : public AdminFixture {
 protected:
  // The auth.failure records, polled (bounded) until they count `failures`.
  std::vector<json> AuthFailuresUntil(std::uint64_t failures) {
    std::vector<json> records;
    for (int i = 0; i < 50 && CountOf(records) < failures; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      records = AuditOf("auth.failure");
    }
    return records;
  }
};

std::string ErrorCode(const HttpResult& r) { return r.body["error"].value("code", ""); }

TEST_F(AdminRoutes, TokenFileIs0600AndNotATenantKey) {
  struct stat st {};
  ASSERT_EQ(::stat((config_.state_dir + "/admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(admin_token_.rfind("hpa_", 0), 0u) << admin_token_;
  // The admin token opens nothing on the tenant API, a tenant key nothing here.
  EXPECT_EQ(Call("GET", "/v1/sessions", "", admin_token_).status, 401);
  EXPECT_EQ(Admin("GET", "/admin/v1/sessions", "", kKeyA).status, 401);
}

TEST_F(AdminRoutes, BadTokenIs401AndAudited) {
  auto none = Admin("GET", "/admin/v1/stats", "", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ErrorCode(none), "unauthorized");
  EXPECT_EQ(none.headers.find("WWW-Authenticate")->second, "Bearer");
  EXPECT_EQ(Admin("GET", "/admin/v1/stats", "", "hpa_wrong").status, 401);
  EXPECT_EQ(AdminText("/metrics", "").status, 401);
  // Aggregated per source: the first at once (count 1), the others in the
  // summary of its window (count 2, per reason).
  auto failures = AuthFailuresUntil(3);
  EXPECT_EQ(CountOf(failures), 3u);
  EXPECT_LE(failures.size(), 3u);
  std::map<std::string, std::uint64_t> by_reason;
  for (const auto& f : failures) {
    EXPECT_EQ(f["actor"], "anonymous@127.0.0.1") << f.dump();
    EXPECT_EQ(f["data"]["listener"], "admin") << f.dump();
    if (f["data"].value("aggregated", false)) {
      for (const auto& [reason, n] : f["data"]["reasons"].items()) {
        by_reason[reason] += n.get<std::uint64_t>();
      }
    } else {
      by_reason[f["data"]["reason"].get<std::string>()] += 1;
    }
  }
  EXPECT_EQ(by_reason["no bearer token"], 2u);
  EXPECT_EQ(by_reason["wrong admin token"], 1u);
}

TEST_F(AdminRoutes, TenantApiAuthFailuresAreAuditedPerSource) {
  for (int i = 0; i < 50; ++i) Call("GET", "/v1/sessions", "", "not-a-key");
  auto failures = AuthFailuresUntil(50);
  EXPECT_EQ(CountOf(failures), 50u);
  ASSERT_GE(failures.size(), 2u);
  EXPECT_LE(failures.size(), 10u) << "one record per failure: not aggregated";
  EXPECT_EQ(failures[0]["data"]["listener"], "api") << failures[0].dump();
  EXPECT_EQ(failures[0]["data"]["reason"], "unknown API key") << failures[0].dump();
  EXPECT_EQ(failures[0]["data"]["route"], "sessions") << failures[0].dump();
  EXPECT_EQ(failures[0]["data"]["count"], 1);
  EXPECT_EQ(failures[1]["data"]["aggregated"], true) << failures[1].dump();
}

TEST_F(AdminRoutes, HealthAndReadinessNeedNoToken) {
  EXPECT_EQ(Admin("GET", "/healthz", "", "").status, 200);
  auto ready = Admin("GET", "/readyz", "", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body["status"], "ready");
}

TEST_F(AdminRoutes, UnknownRouteAndWrongMethod) {
  auto missing = Admin("GET", "/admin/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "not_found");
  auto wrong = Admin("GET", "/admin/v1/drain");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.find("Allow")->second, "POST");
  EXPECT_EQ(Admin("DELETE", "/admin/v1/sessions/x/kill").status, 405);
}

TEST_F(AdminRoutes, SessionsOfEveryTenantFilteredAndPaginated) {
  const auto a = CreateCatSession(kKeyA);
  const auto b = CreateCatSession(kKeyB);
  auto all = Admin("GET", "/admin/v1/sessions");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  ASSERT_EQ(all.body["sessions"].size(), 2u);
  EXPECT_TRUE(all.body["next_cursor"].is_null());
  for (const auto& s : all.body["sessions"]) {
    EXPECT_TRUE(s.contains("tenant") && s.contains("backend") && s.contains("running"));
  }
  auto only_b = Admin("GET", "/admin/v1/sessions?tenant=b");
  ASSERT_EQ(only_b.body["sessions"].size(), 1u);
  EXPECT_EQ(only_b.body["sessions"][0]["id"], b["id"]);
  EXPECT_EQ(Admin("GET", "/admin/v1/sessions?policy=nope").body["sessions"].size(), 0u);
  EXPECT_EQ(Admin("GET", "/admin/v1/sessions?state=dead").body["sessions"].size(), 0u);
  // Two pages of one.
  auto first = Admin("GET", "/admin/v1/sessions?limit=1");
  ASSERT_EQ(first.body["sessions"].size(), 1u);
  ASSERT_TRUE(first.body["next_cursor"].is_string()) << first.body.dump();
  auto second = Admin(
      "GET", "/admin/v1/sessions?limit=1&cursor=" + first.body["next_cursor"].get<std::string>());
  ASSERT_EQ(second.body["sessions"].size(), 1u);
  EXPECT_NE(second.body["sessions"][0]["id"], first.body["sessions"][0]["id"]);
  EXPECT_TRUE(second.body["next_cursor"].is_null());
  (void)a;
}

TEST_F(AdminRoutes, BadFiltersAndCursorsAre400) {
  struct Case {
    const char* path;
    const char* code;
  };
  const Case cases[] = {
      {"/admin/v1/sessions?state=sleeping", "bad_filter"},
      {"/admin/v1/sessions?limit=0", "bad_filter"},
      {"/admin/v1/sessions?limit=1001", "bad_filter"},
      {"/admin/v1/sessions?colour=red", "bad_filter"},
      {"/admin/v1/sessions?cursor=%2E%2E%2Fetc", "bad_cursor"},
      {"/admin/v1/audit?since=yesterday", "bad_filter"},
      {"/admin/v1/audit?until=2026-13-01T00:00:00Z", "bad_filter"},
      {"/admin/v1/audit?limit=x", "bad_filter"},
      {"/admin/v1/audit?cursor=abc", "bad_cursor"},
      {"/admin/v1/audit?cursor=-1", "bad_cursor"},
      {"/admin/v1/audit?tenant=%zz", "bad_filter"},
      {"/admin/v1/audit/export?limit=5", "bad_filter"},
  };
  for (const auto& c : cases) {
    auto r = Admin("GET", c.path);
    EXPECT_EQ(r.status, 400) << c.path << " " << r.body.dump();
    EXPECT_EQ(ErrorCode(r), c.code) << c.path;
  }
}

TEST_F(AdminRoutes, GetAndKillAnyTenantsSession) {
  const auto b = CreateCatSession(kKeyB);
  const std::string id = b["id"];
  auto got = Admin("GET", "/admin/v1/sessions/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body["tenant"], "b");
  auto killed = Admin("POST", "/admin/v1/sessions/" + id + "/kill");
  ASSERT_EQ(killed.status, 200) << killed.body.dump();
  EXPECT_EQ(killed.body["state"], "dead");
  EXPECT_EQ(killed.body["reason"], "killed by admin");
  EXPECT_EQ(Call("GET", "/v1/sessions/" + id, "", kKeyB).status, 404);
  EXPECT_EQ(Admin("GET", "/admin/v1/sessions/" + id).status, 404);
  auto again = Admin("POST", "/admin/v1/sessions/" + id + "/kill");
  EXPECT_EQ(again.status, 404);
  auto records = AuditOf("session.killed");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["session"], id);
  EXPECT_EQ(records[0]["tenant"], "b");
  bool action_audited = false;
  for (const auto& e : AuditOf("admin.action")) {
    action_audited |= e["data"]["action"] == "session.kill" && e["data"]["status"] == 200;
  }
  EXPECT_TRUE(action_audited);
}

TEST_F(AdminRoutes, WatchStreamsSnapshotChangesAndRemovals) {
  const auto a = CreateCatSession(kKeyA);
  std::string created_id;
  std::thread actor([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    created_id = CreateCatSession(kKeyB)["id"];
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    Admin("POST", "/admin/v1/sessions/" + a["id"].get<std::string>() + "/kill");
  });
  auto events = ReadAdminSse("/admin/v1/sessions/watch", [&](const std::vector<SseEvent>& got) {
    return std::any_of(got.begin(), got.end(), [](const auto& e) { return e.event == "removed"; });
  });
  actor.join();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].event, "snapshot");
  ASSERT_EQ(events[0].data["sessions"].size(), 1u);
  EXPECT_EQ(events[0].data["sessions"][0]["id"], a["id"]);
  bool saw_created = false;
  bool saw_removed = false;
  for (const auto& e : events) {
    saw_created |= e.event == "session" && e.data["id"] == created_id;
    saw_removed |= e.event == "removed" && e.data["id"] == a["id"] && e.data["tenant"] == "a";
  }
  EXPECT_TRUE(saw_created);
  EXPECT_TRUE(saw_removed);
}

TEST_F(AdminRoutes, TenantsWithSessionCounts) {
  CreateCatSession(kKeyA);
  auto r = Admin("GET", "/admin/v1/tenants");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["tenants"].size(), 3u);
  for (const auto& t : r.body["tenants"]) {
    EXPECT_EQ(t["sessions"], t["id"] == "a" ? 1 : 0) << t.dump();
    EXPECT_EQ(t["uid"], 60000);
  }
}

TEST_F(AdminRoutes, StatsReportSessionsProcessAndLoad) {
  CreateCatSession(kKeyA);
  auto r = Admin("GET", "/admin/v1/stats");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["sessions"]["total"], 1);
  EXPECT_EQ(r.body["sessions"]["by_tenant"]["a"], 1);
  EXPECT_EQ(r.body["sessions"]["by_backend"]["process"], 1);
  EXPECT_GE(r.body["sandboxes_alive"].get<int>(), 1);
  EXPECT_GT(r.body["process"]["rss_bytes"].get<std::uint64_t>(), 1u << 20);
  EXPECT_GT(r.body["process"]["open_fds"].get<std::uint64_t>(), 3u);
  EXPECT_GT(r.body["process"]["threads"].get<std::uint64_t>(), 1u);
  EXPECT_EQ(r.body["load"].size(), 3u);
  EXPECT_GT(r.body["uptime_s"].get<double>(), 0);
  EXPECT_EQ(r.body["draining"], false);
}

TEST_F(AdminRoutes, DrainRefusesNewSessionsAndKeepsRunningOnes) {
  const auto a = CreateCatSession(kKeyA);
  auto drained = Admin("POST", "/admin/v1/drain");
  ASSERT_EQ(drained.status, 200);
  EXPECT_EQ(drained.body["draining"], true);
  auto refused = Call("POST", "/v1/sessions", R"({"provider":"exec","argv":["/bin/cat"]})", kKeyB);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(ErrorCode(refused), "draining");
  auto ready = Admin("GET", "/readyz", "", "");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body["status"], "draining");
  EXPECT_EQ(Admin("GET", "/admin/v1/stats").body["draining"], true);
  // The running session goes on.
  auto running = Call("GET", "/v1/sessions/" + a["id"].get<std::string>(), "", kKeyA);
  EXPECT_EQ(running.body["state"], "ready");
  EXPECT_EQ(Call("POST", "/v1/sessions/" + a["id"].get<std::string>() + "/messages",
                 R"({"text":"hello"})", kKeyA)
                .status,
            202);
  EXPECT_EQ(Admin("POST", "/admin/v1/drain", R"({"drain":"maybe"})").status, 400);
  ASSERT_EQ(Admin("POST", "/admin/v1/drain", R"({"drain":false})").body["draining"], false);
  EXPECT_EQ(Admin("GET", "/readyz", "", "").status, 200);
  CreateCatSession(kKeyB);
}

TEST_F(AdminRoutes, MetricsExposeEveryFamily) {
  CreateCatSession(kKeyA);
  auto r = AdminText("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Content-Type")->second.find("text/plain; version=0.0.4"),
            std::string::npos);
  for (const char* family :
       {"hotplex_sessions", "hotplex_sandbox_spawn_seconds", "hotplex_tool_decisions_total",
        "hotplex_firewall_blocks_total", "hotplex_egress_requests_total",
        "hotplex_events_brokered_total", "hotplex_event_bytes_brokered_total",
        "hotplex_slow_consumer_disconnects_total", "hotplex_agent_restarts_total",
        "hotplex_agent_crashes_total", "hotplex_tokens_total", "hotplex_cost_usd_total",
        "hotplex_audit_commit_seconds", "hotplex_process_resident_memory_bytes",
        "hotplex_process_open_fds", "hotplex_admin_requests_total"}) {
    EXPECT_NE(r.body.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  EXPECT_NE(r.body.find(R"(hotplex_sessions{backend="process",state="ready",tenant="a"} 1)"),
            std::string::npos)
      << r.body.substr(0, 3000);
  // The session.created record was committed: the commit latency histogram counts it.
  ASSERT_FALSE(AuditOf("session.created").empty());
  const std::string body = AdminText("/metrics").body;
  const auto at = body.find("hotplex_audit_commit_seconds_count ");
  ASSERT_NE(at, std::string::npos) << body.substr(0, 3000);
  EXPECT_GT(std::stod(body.substr(at + std::string("hotplex_audit_commit_seconds_count ").size())),
            0.0);
}

TEST_F(AdminRoutes, PoliciesListedWithTheirErrors) {
  auto r = Admin("GET", "/admin/v1/policies");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  bool saw_team = false;
  bool saw_broken = false;
  for (const auto& p : r.body["policies"]) {
    if (p["name"] == "team") {
      saw_team = true;
      EXPECT_EQ(p["valid"], true);
      EXPECT_EQ(p["source"], policy_dir_ + "/team.yaml");
    }
    if (p["name"] == "broken") {
      saw_broken = true;
      EXPECT_EQ(p["valid"], false);
      ASSERT_GE(p["errors"].size(), 2u) << p.dump();
      EXPECT_GT(p["errors"][0]["line"].get<int>(), 0);
      EXPECT_GT(p["errors"][0]["column"].get<int>(), 0);
    }
  }
  EXPECT_TRUE(saw_team && saw_broken) << r.body.dump();
}

TEST_F(AdminRoutes, PolicyValidateReportsEveryErrorWithLineAndColumn) {
  auto bad = Admin("POST", "/admin/v1/policies/validate",
                   "extends: default\nsandbox:\n  limits:\n    memory: lots\ntools:\n  ask: 12\n");
  ASSERT_EQ(bad.status, 200) << bad.body.dump();
  EXPECT_EQ(bad.body["valid"], false);
  ASSERT_GE(bad.body["errors"].size(), 2u) << bad.body.dump();
  EXPECT_EQ(bad.body["errors"][0]["line"], 4);
  EXPECT_EQ(bad.body["errors"][0]["column"], 13);
  auto good = Admin("POST", "/admin/v1/policies/validate", "extends: default\n");
  EXPECT_EQ(good.body["valid"], true) << good.body.dump();
  EXPECT_EQ(good.body["errors"].size(), 0u);
}

TEST_F(AdminRoutes, PolicyReloadReportsAndIsAudited) {
  std::ofstream(policy_dir_ + "/broken.yaml") << "extends: default\n";
  auto r = Admin("POST", "/admin/v1/policies/reload");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["ok"], true) << r.body.dump();
  auto loaded = r.body["loaded"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(loaded.begin(), loaded.end(), "broken"), loaded.end()) << r.body.dump();
  EXPECT_FALSE(AuditOf("policy.reload").empty());
}

// A file changed on disk and picked up by the store's watcher is audited too
// (actor policy-watcher). The fixture's directory holds a broken file, so every
// reload reports a rejected file: policy.invalid, with what was loaded.
TEST_F(AdminRoutes, WatcherReloadsAreAudited) {
  auto has = [](const json& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  policy_store_->StartWatching(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new mtime second
  std::ofstream(policy_dir_ + "/watched.yaml") << "extends: default\n";
  auto first = AuditOf("policy.invalid", 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["actor"], "policy-watcher");
  EXPECT_TRUE(has(first[0]["data"]["loaded"], "watched")) << first[0].dump();
  EXPECT_TRUE(has(first[0]["data"]["failed"], "broken")) << first[0].dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  std::ofstream(policy_dir_ + "/watched.yaml") << "extends: default\nnot_a_field: 1\n";
  auto second = AuditOf("policy.invalid", 2);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_TRUE(has(second[1]["data"]["failed"], "watched")) << second[1].dump();
  policy_store_->StopWatching();
}

TEST_F(AdminRoutes, AuditQueryPagesExportsAndVerifies) {
  // Failures a window apart are records of their own (the source is forgotten
  // after a quiet window).
  for (int i = 0; i < 3; ++i) {
    Admin("GET", "/admin/v1/stats", "", "nope");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  ASSERT_GE(AuditOf("auth.failure", 3).size(), 3u);
  auto page = Admin("GET", "/admin/v1/audit?type=auth.failure&limit=2");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.body["entries"].size(), 2u);
  ASSERT_TRUE(page.body["next_cursor"].is_string()) << page.body.dump();
  auto rest = Admin("GET", "/admin/v1/audit?type=auth.failure&limit=2&cursor=" +
                               page.body["next_cursor"].get<std::string>());
  ASSERT_GE(rest.body["entries"].size(), 1u);
  EXPECT_GT(rest.body["entries"][0]["seq"].get<std::int64_t>(),
            page.body["entries"][1]["seq"].get<std::int64_t>());
  EXPECT_EQ(
      Admin("GET", "/admin/v1/audit?type=auth.*&since=2020-01-01T00:00:00Z").body["entries"].size(),
      AuditOf("auth.failure").size());
  EXPECT_EQ(Admin("GET", "/admin/v1/audit?until=0").body["entries"].size(), 0u);
  auto exported = AdminText("/admin/v1/audit/export?type=auth.failure");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.headers.find("Content-Type")->second, "application/x-ndjson");
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < exported.body.size(); ++lines) {
    const auto eol = exported.body.find('\n', pos);
    ASSERT_NE(eol, std::string::npos);
    auto entry = json::parse(exported.body.substr(pos, eol - pos));
    EXPECT_EQ(entry["type"], "auth.failure");
    pos = eol + 1;
  }
  EXPECT_GE(lines, 3u);
  auto verify = Admin("GET", "/admin/v1/audit/verify");
  ASSERT_EQ(verify.status, 200);
  EXPECT_EQ(verify.body["ok"], true) << verify.body.dump();
  EXPECT_GT(verify.body["checked"].get<int>(), 3);
}

TEST_F(AdminRoutes, TranscriptFromDiskAndFollowed) {
  const auto a = CreateCatSession(kKeyA);
  const std::string id = a["id"];
  ASSERT_EQ(
      Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"first line"})", kKeyA).status,
      202);
  WaitForEvent(id, 0, "text", [](const json& e) { return e["data"]["text"] == "first line"; });
  auto page = Admin("GET", "/admin/v1/sessions/" + id + "/transcript");
  ASSERT_EQ(page.status, 200) << page.body.dump();
  bool on_disk = false;
  for (const auto& e : page.body["events"]) on_disk |= e["type"] == "text";
  EXPECT_TRUE(on_disk) << page.body.dump();
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"second line"})", kKeyA);
  });
  auto events = ReadAdminSse(
      "/admin/v1/sessions/" + id + "/transcript?follow=1", [](const std::vector<SseEvent>& got) {
        return std::any_of(got.begin(), got.end(), [](const auto& e) {
          return e.event == "text" && e.data["data"]["text"] == "second line";
        });
      });
  later.join();
  std::vector<std::string> texts;
  for (const auto& e : events) {
    if (e.event == "text") texts.push_back(e.data["data"]["text"]);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"first line", "second line"}));
  EXPECT_EQ(Admin("GET", "/admin/v1/sessions/nope/transcript").status, 404);
  EXPECT_EQ(Admin("GET", "/admin/v1/sessions/" + id + "/transcript?limit=0").status, 400);
}

}  // namespace
}  // namespace hotplex::testing
