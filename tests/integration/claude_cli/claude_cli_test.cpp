// The REAL Claude Code CLI against our fake Messages API (in-process, on a loopback port).
// These pin the parts of docs/claude-code-protocol.md the supervisor relies on. The CLI
// runs directly here (sandboxing is the supervisor's business). It must be installed
// (`scripts/test-setup`); a missing CLI fails every test with a message, never skips.
#include "tests/support/claude_cli.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "tests/fake_anthropic/api_server.hpp"
#include "tests/support/piped_process.hpp"
#include "tests/support/stream_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fa = hotplex::fake_anthropic;

constexpr milliseconds kTimeout{60000};

// The content blocks of the last role:"user" message of an API request body.
json LastUserContent(const json& body) {
  json last;
  for (const json& m : body["messages"]) {
    if (m.value("role", "") == "user") last = m["content"];
  }
  return last;
}

class ClaudeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = ClaudeMissingReason();
    ASSERT_TRUE(missing.empty()) << missing;
    std::filesystem::create_directories(home_);
    std::filesystem::create_directories(work_);
    std::filesystem::create_directories(tmp_);
  }

  void StartApi(const std::string& script_json) {
    auto script = fa::ParseScript(script_json);
    ASSERT_TRUE(script) << script.error().message;
    api_ = std::make_unique<fa::FakeAnthropicServer>(std::move(*script));
    auto port = api_->Start(0);
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  PipedProcess StartCli(const std::string& session_flag, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {ClaudeBinary(),
                                     "-p",
                                     "--input-format",
                                     "stream-json",
                                     "--output-format",
                                     "stream-json",
                                     "--verbose",
                                     "--include-partial-messages",
                                     "--permission-prompt-tool",
                                     "stdio",
                                     session_flag,
                                     session_id_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessSpec spec{argv,
                     {"PATH=/usr/bin:/bin", "HOME=" + home_, "TMPDIR=" + tmp_,
                      "ANTHROPIC_BASE_URL=http://127.0.0.1:" + std::to_string(port_),
                      "ANTHROPIC_API_KEY=anything", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"},
                     work_,
                     stderr_path_};
    auto process = PipedProcess::Spawn(spec);
    if (!process) throw std::runtime_error(process.error().Describe());
    return std::move(*process);
  }

  json AwaitResult(PipedProcess& cli, std::vector<json>* seen = nullptr) {
    auto result = cli.ReadUntil(IsResult, kTimeout, seen);
    if (!result) {
      throw std::runtime_error("no result line from the CLI; stderr: " + ReadFile(stderr_path_));
    }
    return *result;
  }

  json AwaitControlRequest(PipedProcess& cli, std::vector<json>* seen = nullptr) {
    auto request =
        cli.ReadUntil([](const json& l) { return IsKind(l, "control_request"); }, kTimeout, seen);
    if (!request) throw std::runtime_error("no control_request; stderr: " + ReadFile(stderr_path_));
    return *request;
  }

  // The bodies of the POST /v1/messages requests the fake API received.
  std::vector<json> MessageRequests() const {
    std::vector<json> bodies;
    for (const json& r : api_->Requests()) {
      if (r["method"] == "POST" && r["path"] == "/v1/messages") bodies.push_back(r["body"]);
    }
    return bodies;
  }

  void CloseAndExpectExit(PipedProcess& cli, int code) {
    cli.CloseStdin();
    auto status = cli.Wait(kTimeout);
    ASSERT_TRUE(status.has_value()) << "the CLI did not exit after stdin closed";
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), code) << ReadFile(stderr_path_);
  }

  TempDir dir_{"claude-cli-test"};
  std::string home_ = dir_.Path() + "/home";
  std::string work_ = dir_.Path() + "/work";
  // The CLI leaves $TMPDIR/cc-socks/<pid>.sock behind when killed: keep it in our dir.
  std::string tmp_ = dir_.Path() + "/tmp";
  std::string stderr_path_ = dir_.Path() + "/stderr.txt";
  std::string session_id_ = "5e551010-1d00-4c1a-9e00-00000000000" + std::to_string(::getpid() % 10);
  std::unique_ptr<fa::FakeAnthropicServer> api_;
  int port_ = 0;
};

TEST_F(ClaudeCli, TextTurnStreamsDeltasThenAssistantThenResult) {
  StartApi(R"({"turns":[{"text":"Hello from the fake API, in pieces.","chunk_size":6}]})");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(UserPrompt("Say hello")));
  std::vector<json> lines;
  const json result = AwaitResult(cli, &lines);

  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(LineKind(lines.front()), "system/init");
  EXPECT_EQ(lines.front()["session_id"], session_id_);
  int deltas = 0, assistant_at = -1, first_delta_at = -1;
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    if (IsKind(lines[i], "stream_event/content_block_delta") && deltas++ == 0) first_delta_at = i;
    if (IsKind(lines[i], "assistant")) assistant_at = i;
  }
  EXPECT_GE(deltas, 6);
  EXPECT_LT(first_delta_at, assistant_at);
  EXPECT_EQ(TextDeltas(lines), "Hello from the fake API, in pieces.");
  EXPECT_EQ(lines[assistant_at]["message"]["content"][0]["text"],
            "Hello from the fake API, in pieces.");
  EXPECT_EQ(result["subtype"], "success");
  EXPECT_EQ(result["is_error"], false);
  EXPECT_EQ(result["result"], "Hello from the fake API, in pieces.");
  EXPECT_TRUE(result["usage"].contains("output_tokens"));
  EXPECT_TRUE(result.contains("total_cost_usd"));

  const auto requests = MessageRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["stream"], true);
  EXPECT_EQ(LastUserContent(requests[0]).back()["text"], "Say hello");
  CloseAndExpectExit(cli, 0);
}

TEST_F(ClaudeCli, InitializeIsAnsweredBeforeAnyPrompt) {
  StartApi("{}");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(ControlRequest("init-1", "initialize")));
  auto answer =
      cli.ReadUntil([](const json& l) { return IsKind(l, "control_response"); }, kTimeout);
  ASSERT_TRUE(answer.has_value()) << ReadFile(stderr_path_);
  EXPECT_EQ((*answer)["response"]["subtype"], "success");
  EXPECT_EQ((*answer)["response"]["request_id"], "init-1");
  EXPECT_TRUE(MessageRequests().empty());
}

TEST_F(ClaudeCli, OneNonJsonInputLineEndsTheProcess) {
  StartApi("{}");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteLine("this is not json"));
  auto status = cli.Wait(kTimeout);
  ASSERT_TRUE(status.has_value()) << "the CLI survived a non-JSON line";
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(ReadFile(stderr_path_).find("Error parsing streaming input line"), std::string::npos)
      << ReadFile(stderr_path_);
}

TEST_F(ClaudeCli, AllowedBashToolRunsAndTheApiReceivesItsResult) {
  StartApi(R"({"turns":[{"match":"make the file","replies":[
      {"tool_use":{"name":"Bash","input":{"command":"echo made > made.txt","description":"make"}}},
      {"text":"Done."}]}]})");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(UserPrompt("please make the file")));
  const json request = AwaitControlRequest(cli);
  const json& ask = request["request"];
  EXPECT_EQ(ask["subtype"], "can_use_tool");
  EXPECT_EQ(ask["tool_name"], "Bash");
  EXPECT_EQ(ask["input"]["command"], "echo made > made.txt");
  ASSERT_TRUE(cli.WriteJson(
      ControlAnswer(request, {{"behavior", "allow"}, {"updatedInput", ask["input"]}})));

  std::vector<json> lines;
  const json result = AwaitResult(cli, &lines);
  EXPECT_EQ(result["result"], "Done.");
  EXPECT_EQ(ReadFile(work_ + "/made.txt"), "made\n");
  bool saw_tool_result = false;
  for (const json& l : lines) {
    if (!IsKind(l, "user")) continue;
    const json& block = l["message"]["content"][0];
    saw_tool_result = block["type"] == "tool_result" && block["is_error"] == false &&
                      block["tool_use_id"] == ask["tool_use_id"];
  }
  EXPECT_TRUE(saw_tool_result);

  const auto requests = MessageRequests();
  ASSERT_EQ(requests.size(), 2u);
  const json follow_up = LastUserContent(requests[1]);
  EXPECT_EQ(follow_up.back()["type"], "tool_result");
  EXPECT_EQ(follow_up.back()["tool_use_id"], ask["tool_use_id"]);
  EXPECT_EQ(follow_up.back()["is_error"], false);
}

TEST_F(ClaudeCli, DeniedBashToolDoesNotRunAndTheApiSeesTheDenial) {
  StartApi(R"({"turns":[{"match":"touch it","replies":[
      {"tool_use":{"name":"Bash","input":{"command":"touch denied.txt","description":"touch"}}},
      {"text":"Understood."}]}]})");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(UserPrompt("touch it")));
  const json request = AwaitControlRequest(cli);
  ASSERT_TRUE(cli.WriteJson(
      ControlAnswer(request, {{"behavior", "deny"}, {"message", "blocked by test policy"}})));

  std::vector<json> lines;
  const json result = AwaitResult(cli, &lines);
  EXPECT_FALSE(std::filesystem::exists(work_ + "/denied.txt"));
  ASSERT_EQ(result["permission_denials"].size(), 1u);
  EXPECT_EQ(result["permission_denials"][0]["tool_name"], "Bash");
  const auto requests = MessageRequests();
  ASSERT_EQ(requests.size(), 2u);
  const json denial = LastUserContent(requests[1]).back();
  EXPECT_EQ(denial["type"], "tool_result");
  EXPECT_EQ(denial["is_error"], true);
  EXPECT_NE(denial.dump().find("blocked by test policy"), std::string::npos);
}

TEST_F(ClaudeCli, AskRulesMakeEvenReadOnlyCommandsAskForPermission) {
  StartApi(R"({"turns":[{"replies":[
      {"tool_use":{"name":"Bash","input":{"command":"ls","description":"list"}}},{"text":"Listed."}]},
      {"replies":[
      {"tool_use":{"name":"Bash","input":{"command":"ls","description":"list"}}},{"text":"Listed."}]}]})");
  {
    // Without ask rules, the CLI allows `ls` in its cwd by itself: no can_use_tool at all.
    PipedProcess cli = StartCli("--session-id");
    ASSERT_TRUE(cli.WriteJson(UserPrompt("list files")));
    std::vector<json> lines;
    AwaitResult(cli, &lines);
    for (const json& l : lines) EXPECT_NE(LineKind(l), "control_request");
  }
  session_id_.back() = session_id_.back() == 'a' ? 'b' : 'a';
  PipedProcess cli =
      StartCli("--session-id", {"--settings", R"({"permissions":{"ask":["Bash"]}})"});
  ASSERT_TRUE(cli.WriteJson(UserPrompt("list files")));
  const json request = AwaitControlRequest(cli);
  EXPECT_EQ(request["request"]["tool_name"], "Bash");
  EXPECT_EQ(request["request"]["input"]["command"], "ls");
  ASSERT_TRUE(cli.WriteJson(ControlAnswer(
      request, {{"behavior", "allow"}, {"updatedInput", request["request"]["input"]}})));
  EXPECT_EQ(AwaitResult(cli)["result"], "Listed.");
}

TEST_F(ClaudeCli, InterruptEndsTheTurnAndTheSessionStaysUsable) {
  StartApi(R"({"turns":[
      {"text":"one two three four five six seven eight nine ten eleven twelve","chunk_size":4,"delay_ms":150},
      {"text":"Still here."}]})");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(UserPrompt("talk slowly")));
  ASSERT_TRUE(cli.ReadUntil(
      [](const json& l) { return IsKind(l, "stream_event/content_block_delta"); }, kTimeout));
  ASSERT_TRUE(cli.WriteJson(ControlRequest("int-1", "interrupt")));
  std::vector<json> lines;
  const json result = AwaitResult(cli, &lines);
  bool acked = false;
  for (const json& l : lines) {
    acked = acked || (IsKind(l, "control_response") && l["response"]["request_id"] == "int-1" &&
                      l["response"]["subtype"] == "success");
  }
  EXPECT_TRUE(acked);
  EXPECT_EQ(result["is_error"], true);
  EXPECT_EQ(result["subtype"], "error_during_execution");

  ASSERT_TRUE(cli.WriteJson(UserPrompt("are you there?")));
  const json second = AwaitResult(cli);
  EXPECT_EQ(second["is_error"], false);
  EXPECT_EQ(second["result"], "Still here.");
}

TEST_F(ClaudeCli, InterruptWhilePermissionIsPendingWithdrawsTheRequest) {
  StartApi(R"({"turns":[{"replies":[
      {"tool_use":{"name":"Bash","input":{"command":"touch never.txt","description":"t"}}},
      {"text":"unused"}]}]})");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(UserPrompt("touch something")));
  const json request = AwaitControlRequest(cli);
  // The ask comes before the tool message's message_stop; interrupt after it (see the doc).
  ASSERT_TRUE(cli.ReadUntil([](const json& l) { return IsKind(l, "stream_event/message_stop"); },
                            kTimeout));
  ASSERT_TRUE(cli.WriteJson(ControlRequest("int-2", "interrupt")));
  std::vector<json> lines;
  const json result = AwaitResult(cli, &lines);
  int cancel_at = -1, ack_at = -1;
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    if (IsKind(lines[i], "control_cancel_request") &&
        lines[i]["request_id"] == request["request_id"]) {
      cancel_at = i;
    }
    if (IsKind(lines[i], "control_response") && lines[i]["response"]["request_id"] == "int-2") {
      ack_at = i;
    }
  }
  ASSERT_GE(cancel_at, 0) << "no control_cancel_request for the pending can_use_tool";
  EXPECT_GT(ack_at, cancel_at);
  EXPECT_EQ(result["is_error"], true);
  EXPECT_FALSE(std::filesystem::exists(work_ + "/never.txt"));
  EXPECT_EQ(MessageRequests().size(), 1u);  // no follow-up model call
}

TEST_F(ClaudeCli, UnknownControlRequestIsAnsweredWithAnError) {
  StartApi("{}");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(ControlRequest("x-1", "frobnicate")));
  auto answer =
      cli.ReadUntil([](const json& l) { return IsKind(l, "control_response"); }, kTimeout);
  ASSERT_TRUE(answer.has_value()) << ReadFile(stderr_path_);
  EXPECT_EQ((*answer)["response"]["subtype"], "error");
  EXPECT_EQ((*answer)["response"]["request_id"], "x-1");
}

TEST_F(ClaudeCli, PromptSentDuringATurnRunsAsItsOwnTurnAfterwards) {
  StartApi(R"({"turns":[{"text":"slow first answer here","chunk_size":4,"delay_ms":100},
                        {"text":"Second answer."}]})");
  PipedProcess cli = StartCli("--session-id");
  ASSERT_TRUE(cli.WriteJson(UserPrompt("first")));
  ASSERT_TRUE(cli.ReadUntil(
      [](const json& l) { return IsKind(l, "stream_event/content_block_delta"); }, kTimeout));
  ASSERT_TRUE(cli.WriteJson(UserPrompt("second")));
  const json first = AwaitResult(cli);
  EXPECT_EQ(first["result"], "slow first answer here");
  const json second = AwaitResult(cli);
  EXPECT_EQ(second["result"], "Second answer.");
  EXPECT_EQ(MessageRequests().size(), 2u);
}

TEST_F(ClaudeCli, ResumeSendsTheEarlierTurnsToTheApi) {
  StartApi(R"({"turns":[{"match":"PINEAPPLE","text":"Noted the word."},
                        {"match":"which word","text":"It was PINEAPPLE."}]})");
  {
    PipedProcess cli = StartCli("--session-id");
    ASSERT_TRUE(cli.WriteJson(UserPrompt("remember the word PINEAPPLE")));
    EXPECT_EQ(AwaitResult(cli)["result"], "Noted the word.");
    CloseAndExpectExit(cli, 0);
  }
  std::string mangled = work_;
  for (char& c : mangled) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  EXPECT_TRUE(std::filesystem::exists(home_ + "/.claude/projects/" + mangled + "/" + session_id_ +
                                      ".jsonl"));
  {
    // The same id again with --session-id is refused: restarts must use --resume.
    PipedProcess again = StartCli("--session-id");
    CloseAndExpectExit(again, 1);
    EXPECT_NE(ReadFile(stderr_path_).find("already in use"), std::string::npos);
  }
  PipedProcess resumed = StartCli("--resume");
  ASSERT_TRUE(resumed.WriteJson(UserPrompt("which word did I give you?")));
  const json result = AwaitResult(resumed);
  EXPECT_EQ(result["result"], "It was PINEAPPLE.");
  EXPECT_EQ(result["session_id"], session_id_);

  const auto requests = MessageRequests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string history = requests[1]["messages"].dump();
  EXPECT_NE(history.find("remember the word PINEAPPLE"), std::string::npos);
  EXPECT_NE(history.find("Noted the word."), std::string::npos);
  EXPECT_NE(history.find("which word did I give you?"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::testing
