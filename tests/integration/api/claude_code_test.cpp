// The claude-code provider end to end through the API, with the fake agent
// (same stream-json and control protocol as the real CLI, scripted prompts).
#include <filesystem>
#include <fstream>

#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {
namespace {

class ApiClaudeCode : public ApiFixture {
 protected:
  std::string Create(const std::string& key = kKeyA) {
    return CreateSession({{"provider", "claude-code"}}, key)["id"];
  }
  int Prompt(const std::string& id, const std::string& text, const std::string& key = kKeyA) {
    auto res = Call("POST", "/v1/sessions/" + id + "/messages", json{{"text", text}}.dump(), key);
    EXPECT_EQ(res.status, 202) << res.body.dump();
    return res.body.value("turn", 0);
  }
  std::vector<json> UntilTurnEnd(const std::string& id, std::uint64_t after = 0,
                                 const std::string& key = kKeyA) {
    return ReadEvents(
        id, after, [](const std::vector<json>& got) { return HasEvent(got, "turn_end"); }, key);
  }
  json WaitForEventOf(const std::string& id, const std::string& key, const std::string& type) {
    auto events = ReadEvents(
        id, 0, [&](const std::vector<json>& got) { return HasEvent(got, type); }, key);
    for (const auto& e : events) {
      if (e["type"] == type) return e;
    }
    ADD_FAILURE() << "no " << type << " event";
    return json();
  }
  static std::vector<json> OfType(const std::vector<json>& events, const std::string& type) {
    std::vector<json> out;
    for (const auto& e : events) {
      if (e["type"] == type) out.push_back(e);
    }
    return out;
  }
};

TEST_F(ApiClaudeCode, StreamsTextDeltasInOrderAndEndsTheTurn) {
  const std::string id = Create();
  EXPECT_EQ(Prompt(id, "fake:text Hello from the fake agent"), 1);
  // The session turns ready just after turn_end: read up to that status too.
  auto events = ReadEvents(id, 0, [](const std::vector<json>& got) {
    bool ended = false;
    for (const auto& e : got) {
      if (e["type"] == "turn_end") ended = true;
      if (ended && e["type"] == "status" && e["data"]["state"] == "ready") return true;
    }
    return false;
  });
  std::string text;
  for (const auto& e : OfType(events, "text")) text += e["data"]["text"].get<std::string>();
  EXPECT_EQ(text, "Hello from the fake agent");
  auto ends = OfType(events, "turn_end");
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0]["data"]["turn"], 1);
  EXPECT_FALSE(ends[0]["data"]["is_error"]);
  ASSERT_FALSE(OfType(events, "usage").empty());
  // starting, (ready when the agent was up before the prompt,) busy, ready.
  std::vector<std::string> states;
  for (const auto& e : OfType(events, "status")) states.push_back(e["data"]["state"]);
  ASSERT_GE(states.size(), 3u);
  EXPECT_EQ(states.front(), "starting");
  EXPECT_EQ(states[states.size() - 2], "busy");
  EXPECT_EQ(states.back(), "ready");
  auto session = Call("GET", "/v1/sessions/" + id).body;
  EXPECT_EQ(session["turns"], 1);
  EXPECT_GT(session["usage"]["output_tokens"].get<int>(), 0);
}

TEST_F(ApiClaudeCode, AllowedBashWritesIntoTheWorkdir) {
  const std::string id = Create();
  Prompt(id, R"(fake:tool Bash {"command":"echo made-by-agent > out.txt"})");
  auto events = UntilTurnEnd(id);
  auto decisions = OfType(events, "permission_decision");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0]["data"]["decision"], "allow");
  EXPECT_EQ(decisions[0]["data"]["source"], "policy");
  ASSERT_EQ(OfType(events, "tool_use").size(), 1u);
  std::ifstream out(WorkspaceOf("a") + "/out.txt");
  std::string line;
  std::getline(out, line);
  EXPECT_EQ(line, "made-by-agent");
}

TEST_F(ApiClaudeCode, DestructiveBashIsDeniedByThePolicy) {
  const std::string id = Create();
  const std::string victim = dir_ + "/victim";
  std::filesystem::create_directories(victim);
  Prompt(id, R"(fake:tool Bash {"command":"rm -rf ~ )" + victim + R"("})");
  auto events = UntilTurnEnd(id);
  auto decisions = OfType(events, "permission_decision");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0]["data"]["decision"], "deny");
  EXPECT_FALSE(decisions[0]["data"]["rule"].get<std::string>().empty());
  EXPECT_NE(decisions[0]["data"]["input_summary"].get<std::string>().find("rm -rf"),
            std::string::npos);
  auto results = OfType(events, "tool_result");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0]["data"]["is_error"]);
  EXPECT_TRUE(std::filesystem::exists(victim)) << "nothing was removed";
}

TEST_F(ApiClaudeCode, AskIsAnsweredOverHttp) {
  const std::string id = Create();
  Prompt(id, R"(fake:tool Write {"file_path":"note.txt","content":"x"})");
  json ask = WaitForEvent(id, 0, "permission_request");
  const std::string request_id = ask["data"]["request_id"];
  EXPECT_EQ(ask["data"]["tool"], "Write");
  auto bad =
      Call("POST", "/v1/sessions/" + id + "/permissions/" + request_id, R"({"behavior":"maybe"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(
      Call("POST", "/v1/sessions/" + id + "/permissions/nope", R"({"behavior":"deny"})").status,
      404);
  auto ok = Call("POST", "/v1/sessions/" + id + "/permissions/" + request_id,
                 R"({"behavior":"deny","message":"not now"})");
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
  json decision = WaitForEvent(id, ask["seq"], "permission_decision");
  EXPECT_EQ(decision["data"]["decision"], "deny");
  EXPECT_EQ(decision["data"]["source"], "client");
  EXPECT_EQ(decision["data"]["message"], "not now");
  WaitForEvent(id, ask["seq"], "turn_end");
}

TEST_F(ApiClaudeCode, UnansweredAskIsDeniedAtThePolicyTimeout) {
  const std::string id = Create(kKeyC);  // policy `short`: ask_timeout 1s
  Prompt(id, R"(fake:tool Write {"file_path":"n.txt","content":"x"})", kKeyC);
  json decision = WaitForEventOf(id, kKeyC, "permission_decision");
  EXPECT_EQ(decision["data"]["decision"], "deny");
  EXPECT_EQ(decision["data"]["source"], "timeout");
}

TEST_F(ApiClaudeCode, InterruptEndsTheTurnAndTheSessionStaysUsable) {
  const std::string id = Create();
  Prompt(id, "fake:slow 200 50");
  WaitForEvent(id, 0, "text");
  EXPECT_EQ(Call("POST", "/v1/sessions/" + id + "/interrupt").status, 202);
  json end = WaitForEvent(id, 0, "turn_end");
  EXPECT_TRUE(end["data"]["is_error"]);
  Prompt(id, "fake:text after interrupt");
  json next = WaitForEvent(id, end["seq"], "turn_end");
  EXPECT_FALSE(next["data"]["is_error"]);
  EXPECT_EQ(next["data"]["turn"], 2);
}

TEST_F(ApiClaudeCode, CrashMidTurnReportsErrorAndExitThenResumes) {
  const std::string id = Create();
  Prompt(id, "fake:text first prompt");
  json first_end = WaitForEvent(id, 0, "turn_end");
  Prompt(id, "fake:crash 3");
  auto events = ReadEvents(id, first_end["seq"], [](const std::vector<json>& got) {
    return HasEvent(got, "status", "state", "stopped");
  });
  auto exits = OfType(events, "exit");
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0]["data"]["outcome"], "exited");
  EXPECT_EQ(exits[0]["data"]["code"], 3);
  auto errors = OfType(events, "error");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0]["data"]["code"], "agent_crashed");
  EXPECT_EQ(Call("GET", "/v1/sessions/" + id).body["state"], "stopped");
  // The next message restarts the agent with --resume: it still knows the first prompt.
  Prompt(id, "fake:history");
  json end = WaitForEvent(id, events.back()["seq"], "turn_end");
  std::string all;
  for (const auto& e : OfType(UntilTurnEnd(id, events.back()["seq"]), "text")) {
    all += e["data"]["text"].get<std::string>();
  }
  EXPECT_NE(all.find("first prompt"), std::string::npos) << all;
  EXPECT_FALSE(end["data"]["is_error"]);
}

TEST_F(ApiClaudeCode, HangingAgentIsKilledAtTheWallTimeLimit) {
  const std::string id = Create(kKeyC);  // policy `short`: wall_time 1s
  Prompt(id, "fake:hang", kKeyC);
  json exit = WaitForEventOf(id, kKeyC, "exit");
  EXPECT_EQ(exit["data"]["outcome"], "timed_out");
}

TEST_F(ApiClaudeCode, HugeLinesAreHandled) {
  const std::string id = Create();
  // Just under events.max_line_bytes (1 MiB by default): the delta, the
  // assistant message and the result line each carry the whole text.
  Prompt(id, "fake:huge 1000000");
  auto events = UntilTurnEnd(id);
  std::size_t bytes = 0;
  for (const auto& e : OfType(events, "text")) bytes += e["data"]["text"].get<std::string>().size();
  EXPECT_EQ(bytes, 1000000u);
}

TEST_F(ApiClaudeCode, SessionsSurviveADaemonRestartAndResume) {
  json created = CreateSession({{"provider", "claude-code"}, {"key", "survivor"}});
  const std::string id = created["id"];
  Prompt(id, "fake:text remember the word pineapple");
  WaitForEvent(id, 0, "turn_end");
  StopDaemon();
  StartDaemon();
  auto session = Call("GET", "/v1/sessions/" + id);
  ASSERT_EQ(session.status, 200);
  EXPECT_EQ(session.body["state"], "stopped");
  EXPECT_EQ(session.body["turns"], 1);
  const std::uint64_t after = session.body["last_seq"];
  EXPECT_EQ(Prompt(id, "fake:history"), 2);
  auto events = UntilTurnEnd(id, after);
  std::string all;
  for (const auto& e : OfType(events, "text")) all += e["data"]["text"].get<std::string>();
  EXPECT_NE(all.find("pineapple"), std::string::npos) << all;
  for (const auto& e : events) EXPECT_GT(e["seq"].get<std::uint64_t>(), after) << "seq continues";
}

}  // namespace
}  // namespace hotplex::testing
