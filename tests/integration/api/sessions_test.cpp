// Session CRUD, tenant isolation, admission limits and the exec provider.
#include <filesystem>

#include "supervisor/session_id.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {
namespace {

class ApiSessions : public ApiFixture {};

const json kCat = {{"provider", "exec"}, {"argv", {"/bin/cat"}}};

TEST_F(ApiSessions, CreateGetListDelete) {
  json created = CreateSession(kCat);
  const std::string id = created["id"];
  EXPECT_TRUE(supervisor::LooksLikeSessionId(id));
  EXPECT_EQ(id[14], '4') << "no key: random UUIDv4";
  EXPECT_EQ(created["provider"], "exec");
  EXPECT_EQ(created["policy"], "test");
  auto got = Call("GET", "/v1/sessions/" + id);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["id"], id);
  for (const char* field : {"state", "created_at", "last_active_at", "turns", "usage", "workdir"}) {
    EXPECT_TRUE(got.body.contains(field)) << field;
  }
  auto list = Call("GET", "/v1/sessions");
  ASSERT_EQ(list.body["sessions"].size(), 1u);
  auto deleted = Call("DELETE", "/v1/sessions/" + id);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body["state"], "dead");
  EXPECT_EQ(Call("GET", "/v1/sessions/" + id).status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/sessions/" + id).status, 404);
  EXPECT_TRUE(Call("GET", "/v1/sessions").body["sessions"].empty());
}

TEST_F(ApiSessions, SameKeyFindsTheSameSession) {
  json request = kCat;
  request["key"] = "my-bot";
  json first = CreateSession(request);
  EXPECT_EQ(first["id"], supervisor::SessionIdForKey("a", "my-bot"));
  auto again = Call("POST", "/v1/sessions", request.dump());
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["id"], first["id"]);
  // The same key of another tenant is another session.
  json other = CreateSession(request, kKeyB);
  EXPECT_NE(other["id"], first["id"]);
}

TEST_F(ApiSessions, AnotherTenantsSessionAnswers404) {
  const std::string id = CreateSession(kCat)["id"];
  const std::string base = "/v1/sessions/" + id;
  EXPECT_EQ(Call("GET", base, "", kKeyB).status, 404);
  EXPECT_EQ(Call("GET", base + "/events", "", kKeyB).status, 404);
  EXPECT_EQ(Call("POST", base + "/messages", R"({"text":"x"})", kKeyB).status, 404);
  EXPECT_EQ(Call("POST", base + "/interrupt", "", kKeyB).status, 404);
  EXPECT_EQ(Call("POST", base + "/permissions/r1", R"({"behavior":"allow"})", kKeyB).status, 404);
  EXPECT_EQ(Call("DELETE", base, "", kKeyB).status, 404);
  EXPECT_TRUE(Call("GET", "/v1/sessions", "", kKeyB).body["sessions"].empty());
  EXPECT_EQ(Call("GET", base).status, 200) << "still there for its owner";
}

TEST_F(ApiSessions, TooManySessionsIs429) {
  for (int i = 0; i < 3; ++i) CreateSession(kCat);
  auto res = Call("POST", "/v1/sessions", kCat.dump());
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.body["error"]["code"], "too_many_sessions");
  EXPECT_EQ(Call("POST", "/v1/sessions", kCat.dump(), kKeyB).status, 201) << "per tenant";
}

TEST_F(ApiSessions, PromptOverThePolicyLimitIs413) {
  const std::string id = CreateSession(kCat)["id"];
  json big = {{"text", std::string(5000, 'x')}};
  auto res = Call("POST", "/v1/sessions/" + id + "/messages", big.dump());
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.body["error"]["code"], "prompt_too_large");
}

TEST_F(ApiSessions, ExecCommandMustBeAllowedByThePolicy) {
  auto res = Call("POST", "/v1/sessions", R"({"provider":"exec","argv":["/bin/bash"]})");
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body["error"]["message"].get<std::string>().find("allowed_commands"),
            std::string::npos);
  EXPECT_EQ(Call("POST", "/v1/sessions", R"({"provider":"exec"})").status, 400);
}

TEST_F(ApiSessions, WorkdirStaysInsideTheWorkspace) {
  json request = kCat;
  request["workdir"] = "../escape";
  EXPECT_EQ(Call("POST", "/v1/sessions", request.dump()).status, 400);
  request["workdir"] = "/etc";
  EXPECT_EQ(Call("POST", "/v1/sessions", request.dump()).status, 400);
  std::filesystem::create_directories(WorkspaceOf("a"));
  std::filesystem::create_directory_symlink("/etc", WorkspaceOf("a") + "/link");
  request["workdir"] = "link";
  EXPECT_EQ(Call("POST", "/v1/sessions", request.dump()).status, 400);
  request["workdir"] = "proj/sub";
  json ok = CreateSession(request);
  EXPECT_EQ(ok["workdir"], std::filesystem::canonical(WorkspaceOf("a")).string() + "/proj/sub");
}

TEST_F(ApiSessions, ExecLinesBecomeTextEvents) {
  const std::string id = CreateSession(kCat)["id"];
  auto res = Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"hello\nworld"})");
  EXPECT_EQ(res.status, 202);
  EXPECT_EQ(res.body["turn"], 1);
  auto events = ReadEvents(id, 0, [](const std::vector<json>& got) {
    int texts = 0;
    for (const auto& e : got) texts += e["type"] == "text" ? 1 : 0;
    return texts >= 2;
  });
  std::vector<std::string> lines;
  std::uint64_t last_seq = 0;
  for (const auto& e : events) {
    EXPECT_GT(e["seq"].get<std::uint64_t>(), last_seq) << "ordered";
    last_seq = e["seq"];
    EXPECT_EQ(e["session_id"], id);
    EXPECT_TRUE(e["ts"].get<std::string>().ends_with("Z"));
    if (e["type"] == "text") lines.push_back(e["data"]["text"]);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"hello", "world"}));
}

TEST_F(ApiSessions, EventsReplayAfterLastEventId) {
  const std::string id = CreateSession(kCat)["id"];
  Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"one"})");
  json first = WaitForEvent(id, 0, "text");
  const std::uint64_t seq = first["seq"];
  Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"two"})");
  WaitForEvent(id, seq, "text");
  httplib::Client client("127.0.0.1", daemon_->ApiPort());
  client.set_read_timeout(5, 0);
  std::string body;
  client.Get(
      "/v1/sessions/" + id + "/events",
      {{"Authorization", std::string("Bearer ") + kKeyA}, {"Last-Event-ID", std::to_string(seq)}},
      [&](const char* data, size_t n) {
        body.append(data, n);
        return body.find("\"two\"") == std::string::npos;
      });
  EXPECT_EQ(body.find("\"one\""), std::string::npos) << body;
  EXPECT_NE(body.find("id: " + std::to_string(seq + 1)), std::string::npos) << body;
  EXPECT_NE(body.find("event: "), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/sessions/" + id + "/events?after=abc").status, 400);
}

TEST_F(ApiSessions, DeletingEndsTheProcess) {
  const std::string id = CreateSession(kCat)["id"];
  WaitForEvent(id, 0, "status", [](const json& e) { return e["data"]["state"] == "ready"; });
  EXPECT_EQ(Call("DELETE", "/v1/sessions/" + id).status, 200);
  // Nothing left to answer: the session and its process are gone.
  EXPECT_EQ(Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"x"})").status, 404);
}

}  // namespace
}  // namespace hotplex::testing
