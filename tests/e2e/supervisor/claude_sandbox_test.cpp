// End to end: the real Claude Code CLI inside the namespace sandbox, driven
// through hotplexd's API, talking to our fake Messages API on loopback.
//
// The sandbox has network mode egress: its own namespace with only loopback,
// where the supervisor serves a forward of the fake API's port (policy
// `network.forwards: [127.0.0.1:<port>]`), so ANTHROPIC_BASE_URL names the same
// 127.0.0.1:<port> inside the sandbox (supervisor/egress/EGRESS.md). The CLI binary
// is bind-mounted read-only (config sandbox.extra_mounts).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "policies/policy_loader.hpp"
#include "supervisor/egress/egress_gateway.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/fake_anthropic/api_server.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/support/claude_cli.hpp"

namespace hotplex::testing {
namespace {

namespace fs = std::filesystem;
namespace fa = hotplex::fake_anthropic;

constexpr const char* kScript = R"({
  "turns": [
    {"match": "WRITE-FILE", "replies": [
      {"tool_use": {"name": "Bash", "input": {"command": "echo from-claude > made.txt"}}},
      {"text": "Wrote the file."}]},
    {"match": "DELETE-HOME", "replies": [
      {"tool_use": {"name": "Bash", "input": {"command": "rm -rf ~"}}},
      {"text": "I was not allowed."}]},
    {"match": "ASK-WRITE", "replies": [
      {"tool_use": {"name": "Write", "input": {"file_path": "WORKDIR/asked.txt", "content": "ok"}}},
      {"text": "Asked."}]},
    {"match": "EGRESS-PROBE", "replies": [
      {"tool_use": {"name": "Bash", "input": {"command": "curl -s http://example.org/ > egress.txt; curl -s --noproxy '*' --max-time 5 http://10.1.2.3/; echo \" direct=$?\" >> egress.txt"}}},
      {"text": "Probed."}]},
    {"match": "SLOW", "replies": [
      {"text": "one two three four five six seven eight nine ten", "chunk_size": 4, "delay_ms": 300}]}
  ],
  "default_reply": {"text": "Hello from the fake API.", "chunk_size": 5}
})";

class ClaudeInSandbox : public ApiFixture {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the namespace sandbox e2e tests run as root (CI does)";
    const std::string missing = ClaudeMissingReason();
    ASSERT_TRUE(missing.empty()) << missing;
    ApiFixture::SetUp();
    StopDaemon();
    // Sandboxed uids must traverse the test dir to reach workspaces and homes.
    ::chmod(dir_.c_str(), 0711);
    auto backend = sandbox::MakeNamespaceBackend();
    ASSERT_TRUE(backend) << "namespace sandbox unavailable: " << backend.error().Describe();
    backend_ = std::move(*backend);
    StartFakeApi();
    const std::string claude = fs::canonical(ClaudeBinary()).string();
    config_.claude_command = {claude};
    config_.extra_mounts = {
        {fs::path(claude).parent_path().string(), "", sandbox::MountMode::kReadOnly}};
    config_.http.request_timeout = std::chrono::seconds(30);
    policies_.policies["test"] = CompilePolicy();
    StartDaemon();
  }
  void TearDown() override {
    ApiFixture::TearDown();
    if (api_) api_->Stop();
  }
  void StartFakeApi() {
    std::string script = kScript;
    script.replace(script.find("WORKDIR"), 7, fs::weakly_canonical(WorkspaceOf("a")).string());
    auto parsed = fa::ParseScript(script);
    ASSERT_TRUE(parsed) << parsed.error().message;
    api_ = std::make_unique<fa::FakeAnthropicServer>(std::move(*parsed));
    auto port = api_->Start(0);
    ASSERT_TRUE(port) << port.error().message;
    api_port_ = *port;
  }
  supervisor::SessionPolicyPtr CompilePolicy() {
    const std::string yaml = R"(
extends: default
sandbox:
  network: {mode: egress, forwards: ["127.0.0.1:)" +
                             std::to_string(api_port_) + R"("]}
  limits: {max_sessions: 4}
  ask_timeout: 60s
env:
  set:
    ANTHROPIC_BASE_URL: http://127.0.0.1:)" +
                             std::to_string(api_port_) + R"(
    ANTHROPIC_API_KEY: anything
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"
tools:
  ask: [Write]
)";
    auto loaded = policies::LoadPolicyText(yaml, "test", "");
    if (!loaded) {
      ADD_FAILURE() << loaded.error().front().ToString();
      return nullptr;
    }
    return supervisor::ToSessionPolicy(*loaded);
  }
  std::string Create() { return CreateSession({{"provider", "claude-code"}})["id"]; }
  void Prompt(const std::string& id, const std::string& text) {
    auto res = Call("POST", "/v1/sessions/" + id + "/messages", json{{"text", text}}.dump());
    ASSERT_EQ(res.status, 202) << res.body.dump();
  }
  std::vector<json> UntilTurnEnd(const std::string& id, std::uint64_t after = 0) {
    return ReadEvents(
        id, after, [](const std::vector<json>& got) { return HasEvent(got, "turn_end"); }, kKeyA,
        std::chrono::seconds(90));
  }
  static std::string Text(const std::vector<json>& events) {
    std::string out;
    for (const auto& e : events) {
      if (e["type"] == "text") out += e["data"]["text"].get<std::string>();
    }
    return out;
  }

  std::unique_ptr<fa::FakeAnthropicServer> api_;
  int api_port_ = 0;
};

TEST_F(ClaudeInSandbox, StreamedTextArrivesInOrderOverSseAndWebSocket) {
  const std::string id = Create();
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.Send({{"type", "attach"}, {"session_id", id}});
  ws.Send({{"type", "prompt"}, {"session_id", id}, {"text", "Say hello"}});
  std::string ws_text;
  ws.ReadUntil(
      [&](const json& m) {
        if (m["type"] == "text") ws_text += m["data"]["text"].get<std::string>();
        return m["type"] == "turn_end";
      },
      std::chrono::seconds(90));
  EXPECT_EQ(ws_text, "Hello from the fake API.");
  auto events = UntilTurnEnd(id);
  EXPECT_EQ(Text(events), "Hello from the fake API.");
}

TEST_F(ClaudeInSandbox, AllowedBashWritesIntoTheWorkdirOnTheHost) {
  const std::string id = Create();
  Prompt(id, "WRITE-FILE please");
  auto events = UntilTurnEnd(id);
  ASSERT_TRUE(HasEvent(events, "permission_decision", "decision", "allow")) << json(events).dump();
  std::ifstream made(WorkspaceOf("a") + "/made.txt");
  std::string line;
  std::getline(made, line);
  EXPECT_EQ(line, "from-claude");
}

TEST_F(ClaudeInSandbox, RmRfHomeIsDeniedAndNothingIsRemoved) {
  const std::string id = Create();
  Prompt(id, "DELETE-HOME now");
  auto events = UntilTurnEnd(id);
  ASSERT_TRUE(HasEvent(events, "permission_decision", "decision", "deny")) << json(events).dump();
  ASSERT_TRUE(HasEvent(events, "tool_result", "is_error", true));
  // The session's home (bind-mounted as ~) still holds the CLI's state.
  const std::string home = dir_ + "/state/homes/" + id;
  EXPECT_TRUE(fs::exists(home + "/.claude")) << home;
}

TEST_F(ClaudeInSandbox, AskIsAnsweredOverTheWebSocket) {
  const std::string id = Create();
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.Send({{"type", "attach"}, {"session_id", id}});
  ws.Send({{"type", "prompt"}, {"session_id", id}, {"text", "ASK-WRITE"}});
  json ask = ws.ReadUntil([](const json& m) { return m["type"] == "permission_request"; },
                          std::chrono::seconds(90));
  EXPECT_EQ(ask["data"]["tool"], "Write");
  ws.Send({{"type", "permission"},
           {"session_id", id},
           {"request_id", ask["data"]["request_id"]},
           {"behavior", "allow"}});
  json end =
      ws.ReadUntil([](const json& m) { return m["type"] == "turn_end"; }, std::chrono::seconds(90));
  EXPECT_FALSE(end["data"]["is_error"]);
  EXPECT_TRUE(fs::exists(WorkspaceOf("a") + "/asked.txt"));
}

TEST_F(ClaudeInSandbox, InterruptMidStreamEndsTheTurn) {
  const std::string id = Create();
  Prompt(id, "SLOW please");
  WaitForEvent(id, 0, "text");
  EXPECT_EQ(Call("POST", "/v1/sessions/" + id + "/interrupt").status, 202);
  auto events = UntilTurnEnd(id);
  json end;
  for (const auto& e : events) {
    if (e["type"] == "turn_end") end = e;
  }
  EXPECT_TRUE(end["data"]["is_error"]);
  EXPECT_NE(Text(events), "one two three four five six seven eight nine ten");
}

TEST_F(ClaudeInSandbox, AfterADaemonRestartTheConversationResumes) {
  json created = CreateSession({{"provider", "claude-code"}, {"key", "resume-me"}});
  const std::string id = created["id"];
  Prompt(id, "Remember the word PINEAPPLE");
  UntilTurnEnd(id);
  StopDaemon();
  StartDaemon();
  auto stopped = Call("GET", "/v1/sessions/" + id).body;
  EXPECT_EQ(stopped["state"], "stopped");
  const std::size_t before = api_->Requests().size();
  Prompt(id, "What was the word?");
  UntilTurnEnd(id, stopped["last_seq"].get<std::uint64_t>());
  const json requests = api_->Requests(before);
  ASSERT_FALSE(requests.empty());
  EXPECT_NE(requests.back().dump().find("PINEAPPLE"), std::string::npos)
      << "the API saw the earlier turn after --resume";
}

TEST_F(ClaudeInSandbox, EgressIsTheOnlyWayOutAndEndsWithTheSession) {
  const std::string id = Create();
  Prompt(id, "EGRESS-PROBE please");  // the CLI itself reaches the API through the forward
  auto events = UntilTurnEnd(id);
  ASSERT_TRUE(HasEvent(events, "permission_decision", "decision", "allow")) << json(events).dump();
  std::ifstream in(WorkspaceOf("a") + "/egress.txt");
  const std::string probe((std::istreambuf_iterator<char>(in)), {});
  // curl used HTTP_PROXY: the proxy refused a domain the policy does not allow.
  EXPECT_NE(probe.find("hotplex egress: example.org:80 is not in the policy's "
                       "network.allow_domains"),
            std::string::npos)
      << probe;
  // Without the proxy there is no route: curl exit 7 (could not connect).
  EXPECT_NE(probe.find(" direct=7"), std::string::npos) << probe;
  EXPECT_GT(supervisor::EgressGateway::LiveSockets(), 0u);
  EXPECT_EQ(Call("DELETE", "/v1/sessions/" + id).status, 200);
  for (int i = 0; i < 500 && supervisor::EgressGateway::LiveSockets() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(supervisor::EgressGateway::LiveSockets(), 0u) << "egress sockets left after delete";
}

}  // namespace
}  // namespace hotplex::testing
