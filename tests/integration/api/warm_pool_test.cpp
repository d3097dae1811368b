// The warm pool through the API: tenant `a` keeps pre-started fake agents
// (SpawnBackend) that a create adopts; refill, key reuse, max_sessions, policy
// reload, crash replacement, shutdown, and restart with the stored
// conversation id and home. AgentProcess::LiveCount() counts every agent of
// this process (sessions + pooled ones): the fixture's daemon is the only one.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <sqlite3.h>

#include "policies/policy_loader.hpp"
#include "supervisor/agent_process.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {
namespace {
namespace fs = std::filesystem;
using supervisor::AgentProcess;

constexpr const char* kPolicy = R"(
extends: default
sandbox:
  backend: process
  unsafe: true
  limits:
    max_sessions: 3
provider:
  exec:
    allowed_commands: [/bin/cat]
)";

// A policy source whose policy can be swapped while the daemon runs (a reload).
class SwappablePolicies : public supervisor::PolicySource {
 public:
  supervisor::SessionPolicyPtr Get(std::string_view) const override {
    std::lock_guard lock(mu_);
    return policy_;
  }
  void Set(supervisor::SessionPolicyPtr policy) {
    std::lock_guard lock(mu_);
    policy_ = std::move(policy);
  }

 private:
  mutable std::mutex mu_;
  supervisor::SessionPolicyPtr policy_;
};

// The `data` of the session.created audit records of `session` (audit appends
// are asynchronous: polled, bounded), read straight from <state>/audit.db.
std::vector<json> CreatedRecords(const std::string& db_path, const std::string& session) {
  std::vector<json> out;
  for (int i = 0; i < 50 && out.empty(); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db,
                             "SELECT data FROM audit WHERE type = 'session.created' AND "
                             "session = ?",
                             -1, &stmt, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, session.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
          out.push_back(json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))));
        }
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
  }
  return out;
}

supervisor::SessionPolicyPtr CompileTestPolicy() {
  auto loaded = policies::LoadPolicyText(kPolicy, "test", "");
  return loaded ? supervisor::ToSessionPolicy(*loaded) : nullptr;
}

class ApiWarmPool : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    policy_.Set(CompileTestPolicy());
    ASSERT_NE(policy_.Get("test"), nullptr);
    StopDaemon();
    config_.tenants[0].warm_pool = 2;  // tenant a
    StartWarm();
  }
  void StartWarm() {
    auto daemon = api::Daemon::Start(config_, policy_, {{backend_->Kind(), backend_.get()}});
    ASSERT_TRUE(daemon) << daemon.error().Describe();
    daemon_ = std::move(*daemon);
  }
  // Waits (bounded) until exactly `n` agents run in this process.
  static bool WaitForAgents(std::size_t n,
                            std::chrono::seconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (AgentProcess::LiveCount() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return AgentProcess::LiveCount() == n;
  }
  std::string Prompt(const std::string& id, const std::string& text) {
    const std::uint64_t after = Call("GET", "/v1/sessions/" + id).body.value("last_seq", 0);
    auto res = Call("POST", "/v1/sessions/" + id + "/messages", json{{"text", text}}.dump());
    EXPECT_EQ(res.status, 202) << res.body.dump();
    auto events = ReadEvents(id, after, [](const auto& got) { return HasEvent(got, "turn_end"); });
    std::string all;
    for (const auto& e : events) {
      if (e["type"] == "text") all += e["data"]["text"].get<std::string>();
    }
    EXPECT_TRUE(HasEvent(events, "turn_end")) << all;
    return all;
  }
  // Every home directory under the state dir.
  std::vector<std::string> Homes() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(config_.state_dir + "/homes")) {
      out.push_back(e.path().filename());
    }
    return out;
  }

  SwappablePolicies policy_;
};

TEST_F(ApiWarmPool, CreateAdoptsAReadyAgentAndThePoolRefills) {
  ASSERT_TRUE(WaitForAgents(2)) << "pool not filled: " << AgentProcess::LiveCount();
  // Launched is not ready yet: give the fake agents time to answer `initialize`.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto homes_before = Homes();
  json created = CreateSession({{"provider", "claude-code"}});
  const std::string id = created["id"];
  EXPECT_EQ(created["state"], "ready") << "adopted: ready before the response";
  // The events of its warm-up carry the final id.
  auto events =
      ReadEvents(id, 0, [](const auto& got) { return HasEvent(got, "status", "state", "ready"); });
  ASSERT_TRUE(HasEvent(events, "status", "state", "ready"));
  for (const auto& e : events) EXPECT_EQ(e.value("session_id", id), id) << e.dump();
  EXPECT_NE(Prompt(id, "hello pool").find("echo: hello pool"), std::string::npos);
  EXPECT_TRUE(WaitForAgents(3)) << "pool refilled: 1 session + 2 pooled";
  // Its home is one of the homes made for the pool, not homes/<session id>.
  EXPECT_EQ(std::count(homes_before.begin(), homes_before.end(), id), 0);
  EXPECT_FALSE(fs::exists(config_.state_dir + "/homes/" + id));
  // An adopted session is audited like a cold one, marked as from the pool.
  auto created_records = CreatedRecords(config_.state_dir + "/audit.db", id);
  ASSERT_EQ(created_records.size(), 1u);
  EXPECT_EQ(created_records[0]["warm_pool"], true) << created_records[0].dump();
  EXPECT_EQ(created_records[0]["provider"], "claude-code");
}

TEST_F(ApiWarmPool, OtherTenantsAndWorkdirsStartCold) {
  ASSERT_TRUE(WaitForAgents(2));
  json other = CreateSession({{"provider", "claude-code"}}, kKeyB);
  EXPECT_TRUE(fs::exists(config_.state_dir + "/homes/" + other["id"].get<std::string>()))
      << "tenant b has no pool: a cold session with homes/<id>";
  json sub = CreateSession({{"provider", "claude-code"}, {"workdir", "sub"}});
  EXPECT_TRUE(fs::exists(config_.state_dir + "/homes/" + sub["id"].get<std::string>()))
      << "a non-default workdir is never pooled";
  EXPECT_TRUE(WaitForAgents(4));
}

TEST_F(ApiWarmPool, ExecArgvBecomesAPooledKeyAfterItsFirstCreate) {
  ASSERT_TRUE(WaitForAgents(2));
  const json cat = {{"provider", "exec"}, {"argv", {"/bin/cat"}}};
  json first = CreateSession(cat);
  EXPECT_TRUE(fs::exists(config_.state_dir + "/homes/" + first["id"].get<std::string>()))
      << "the first exec create is cold";
  ASSERT_TRUE(WaitForAgents(5)) << "1 session + 2 claude-code + 2 exec pooled";
  json second = CreateSession(cat);
  EXPECT_FALSE(fs::exists(config_.state_dir + "/homes/" + second["id"].get<std::string>()))
      << "the second one is adopted";
  EXPECT_EQ(second["state"], "ready");
  EXPECT_EQ(Call("GET", "/v1/sessions/" + second["id"].get<std::string>()).body["argv"],
            json({"/bin/cat"}));
}

TEST_F(ApiWarmPool, PooledAgentsDoNotCountAgainstMaxSessions) {
  ASSERT_TRUE(WaitForAgents(2));
  for (int i = 0; i < 3; ++i) CreateSession({{"provider", "claude-code"}});
  auto refused = Call("POST", "/v1/sessions", json{{"provider", "claude-code"}}.dump());
  EXPECT_EQ(refused.status, 429) << refused.body.dump();
  EXPECT_TRUE(WaitForAgents(5)) << "3 sessions + a full pool of 2";
}

TEST_F(ApiWarmPool, APolicyReloadReplacesEveryPooledAgent) {
  ASSERT_TRUE(WaitForAgents(2));
  const auto old_homes = Homes();
  policy_.Set(CompileTestPolicy());  // a new CompiledPolicy: what a reload does
  // The launcher checks every second: both entries go, two new ones come.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<std::string> homes;
  while (std::chrono::steady_clock::now() < deadline) {
    homes = Homes();
    const bool all_new = std::none_of(homes.begin(), homes.end(), [&](const std::string& h) {
      return std::count(old_homes.begin(), old_homes.end(), h) > 0;
    });
    if (all_new && homes.size() == 2 && AgentProcess::LiveCount() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(homes.size(), 2u);
  for (const auto& h : homes) EXPECT_EQ(std::count(old_homes.begin(), old_homes.end(), h), 0) << h;
  // A create taken right after the swap never gets an agent of the old policy.
  json created = CreateSession({{"provider", "claude-code"}});
  EXPECT_EQ(std::count(old_homes.begin(), old_homes.end(), created["id"].get<std::string>()), 0);
}

TEST_F(ApiWarmPool, APooledAgentThatDiesIsReplaced) {
  ASSERT_TRUE(WaitForAgents(2));
  const auto before = Homes();
  ASSERT_EQ(before.size(), 2u);
  // The SpawnBackend runs the agent in its own process group: find one by its home.
  bool killed = false;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream env_file(entry.path() / "environ");
    std::string env((std::istreambuf_iterator<char>(env_file)), {});
    if (env.find("/homes/" + before[0]) == std::string::npos) continue;
    killed = ::kill(std::stoi(entry.path().filename()), SIGKILL) == 0;
    break;
  }
  ASSERT_TRUE(killed) << "no process with HOME " << before[0];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto homes = Homes();
    if (homes.size() == 2 && std::count(homes.begin(), homes.end(), before[0]) == 0 &&
        AgentProcess::LiveCount() == 2) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL() << "the dead pooled agent was not replaced";
}

TEST_F(ApiWarmPool, ShutdownLeavesNoAgent) {
  ASSERT_TRUE(WaitForAgents(2));
  CreateSession({{"provider", "claude-code"}});
  ASSERT_TRUE(WaitForAgents(3));
  StopDaemon();
  EXPECT_EQ(AgentProcess::LiveCount(), 0u);
  EXPECT_EQ(Homes().size(), 1u) << "pooled homes are removed, the session's stays";
}

TEST_F(ApiWarmPool, AnAdoptedSessionResumesWithItsConversationIdAndHomeAfterARestart) {
  ASSERT_TRUE(WaitForAgents(2));
  json created = CreateSession({{"provider", "claude-code"}, {"key", "survivor"}});
  const std::string id = created["id"];
  Prompt(id, "fake:text remember the word pineapple");
  StopDaemon();
  config_.tenants[0].warm_pool = 0;
  StartWarm();
  auto session = Call("GET", "/v1/sessions/" + id);
  ASSERT_EQ(session.status, 200);
  EXPECT_EQ(session.body["state"], "stopped");
  // The fake agent resumes by conversation id from $HOME: a wrong id or home fails the turn.
  EXPECT_NE(Prompt(id, "fake:history").find("pineapple"), std::string::npos);
  const auto homes = Homes();
  ASSERT_EQ(homes.size(), 1u);
  EXPECT_NE(homes[0], id);
}

}  // namespace
}  // namespace hotplex::testing
