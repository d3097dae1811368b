// Drives the fake-agent binary over pipes and checks it speaks the protocol of
// docs/claude-code-protocol.md: the same line kinds, in the same order, as the real CLI.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/piped_process.hpp"
#include "tests/support/stream_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kTimeout{10000};
const std::string kAgent = HOTPLEX_BINARY_DIR "/tests/bin/fake-agent";
const std::string kSessionId = "0f0e0d0c-0b0a-4908-8706-050403020100";

std::vector<std::string> Kinds(const std::vector<json>& lines) {
  std::vector<std::string> kinds;
  kinds.reserve(lines.size());
  for (const json& l : lines) kinds.push_back(LineKind(l));
  return kinds;
}

json Decision(const std::string& request_id, json response) {
  return ControlAnswer({{"request_id", request_id}}, std::move(response));
}

class FakeAgentProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(home_);
    std::filesystem::create_directories(work_);
  }

  PipedProcess Start(const std::string& session_flag = "--session-id",
                     std::vector<std::string> env = {}) {
    env.push_back("HOME=" + home_);
    ProcessSpec spec{{kAgent, "-p", "--input-format", "stream-json", "--output-format",
                      "stream-json", "--verbose", "--include-partial-messages",
                      "--permission-prompt-tool", "stdio", session_flag, kSessionId},
                     env,
                     work_,
                     dir_.Path() + "/stderr.txt"};
    auto process = PipedProcess::Spawn(spec);
    if (!process) throw std::runtime_error(process.error().Describe());
    return std::move(*process);
  }

  json AwaitResult(PipedProcess& agent, std::vector<json>* seen = nullptr) {
    auto result = agent.ReadUntil(IsResult, kTimeout, seen);
    if (!result) throw std::runtime_error("no result line from fake-agent");
    return *result;
  }

  TempDir dir_{"fake-agent-test"};
  std::string home_ = dir_.Path() + "/home";
  std::string work_ = dir_.Path() + "/work";
};

TEST_F(FakeAgentProtocol, TextTurnStreamsDeltasThenAssistantThenResult) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: text one two three")));
  std::vector<json> lines;
  const json result = AwaitResult(agent, &lines);
  const std::vector<std::string> expected = {"system/init",
                                             "system/status",
                                             "stream_event/message_start",
                                             "stream_event/content_block_start",
                                             "stream_event/content_block_delta",
                                             "stream_event/content_block_delta",
                                             "stream_event/content_block_delta",
                                             "assistant",
                                             "stream_event/content_block_stop",
                                             "stream_event/message_delta",
                                             "stream_event/message_stop",
                                             "result/success"};
  EXPECT_EQ(Kinds(lines), expected);
  EXPECT_EQ(TextDeltas(lines), "one two three");
  EXPECT_EQ(lines[7]["message"]["content"][0]["text"], "one two three");
  EXPECT_EQ(result["result"], "one two three");
  EXPECT_EQ(result["is_error"], false);
  EXPECT_EQ(result["session_id"], kSessionId);
  EXPECT_EQ(lines[0]["session_id"], kSessionId);
}

TEST_F(FakeAgentProtocol, PrintsNothingBeforeTheFirstPromptButAnswersInitialize) {
  PipedProcess agent = Start();
  EXPECT_FALSE(agent.ReadLine(milliseconds(200)).has_value());
  ASSERT_TRUE(agent.WriteJson(ControlRequest("init-1", "initialize")));
  auto answer = agent.ReadJson(kTimeout);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(LineKind(*answer), "control_response");
  EXPECT_EQ((*answer)["response"]["subtype"], "success");
  EXPECT_EQ((*answer)["response"]["request_id"], "init-1");
  EXPECT_EQ((*answer)["response"]["response"]["session_state"], "idle");
}

TEST_F(FakeAgentProtocol, PlainPromptIsEchoed) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("hello there")));
  EXPECT_EQ(AwaitResult(agent)["result"], "echo: hello there");
}

TEST_F(FakeAgentProtocol, NonJsonLineEndsTheProcessLikeTheCli) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteLine("not json at all"));
  auto status = agent.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(ReadFile(dir_.Path() + "/stderr.txt").find("Error parsing streaming input line"),
            std::string::npos);
}

TEST_F(FakeAgentProtocol, PlainInputModeTakesTextLinesAsPrompts) {
  PipedProcess agent = Start("--session-id", {"FAKE_AGENT_PLAIN_INPUT=1"});
  ASSERT_TRUE(agent.WriteLine("fake: text plain works"));
  EXPECT_EQ(AwaitResult(agent)["result"], "plain works");
}

TEST_F(FakeAgentProtocol, UnknownControlSubtypeIsAnsweredWithAnError) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(ControlRequest("x-1", "frobnicate")));
  auto answer = agent.ReadJson(kTimeout);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ((*answer)["response"]["subtype"], "error");
  EXPECT_EQ((*answer)["response"]["request_id"], "x-1");
  EXPECT_NE((*answer)["response"]["error"].get<std::string>().find("frobnicate"),
            std::string::npos);
}

TEST_F(FakeAgentProtocol, AllowedBashToolRunsTheUpdatedInput) {
  PipedProcess agent = Start();
  ASSERT_TRUE(
      agent.WriteJson(UserPrompt(R"(fake: tool Bash {"command":"echo original > made.txt"})")));
  std::vector<json> lines;
  auto request =
      agent.ReadUntil([](const json& l) { return IsKind(l, "control_request"); }, kTimeout, &lines);
  ASSERT_TRUE(request.has_value());
  const json& ask = (*request)["request"];
  EXPECT_EQ(ask["subtype"], "can_use_tool");
  EXPECT_EQ(ask["tool_name"], "Bash");
  EXPECT_EQ(ask["input"]["command"], "echo original > made.txt");
  ASSERT_TRUE(agent.WriteJson(Decision(
      (*request)["request_id"],
      {{"behavior", "allow"}, {"updatedInput", {{"command", "echo changed > made.txt"}}}})));
  auto tool_result = agent.ReadUntil([](const json& l) { return IsKind(l, "user"); }, kTimeout);
  ASSERT_TRUE(tool_result.has_value());
  const json& block = (*tool_result)["message"]["content"][0];
  EXPECT_EQ(block["type"], "tool_result");
  EXPECT_EQ(block["is_error"], false);
  EXPECT_EQ(block["tool_use_id"], ask["tool_use_id"]);
  const json result = AwaitResult(agent);
  EXPECT_EQ(result["is_error"], false);
  EXPECT_EQ(result["result"], "Tool Bash finished.");  // a model answer follows every tool
  EXPECT_EQ(result["num_turns"], 2);
  EXPECT_TRUE(result["permission_denials"].empty());
  EXPECT_EQ(ReadFile(work_ + "/made.txt"), "changed\n");
}

TEST_F(FakeAgentProtocol, DeniedToolDoesNotRunAndReportsTheMessage) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt(R"(fake: tool Bash {"command":"touch denied.txt"})")));
  auto request =
      agent.ReadUntil([](const json& l) { return IsKind(l, "control_request"); }, kTimeout);
  ASSERT_TRUE(request.has_value());
  ASSERT_TRUE(agent.WriteJson(
      Decision((*request)["request_id"], {{"behavior", "deny"}, {"message", "not on my watch"}})));
  auto tool_result = agent.ReadUntil([](const json& l) { return IsKind(l, "user"); }, kTimeout);
  ASSERT_TRUE(tool_result.has_value());
  const json& block = (*tool_result)["message"]["content"][0];
  EXPECT_EQ(block["is_error"], true);
  EXPECT_EQ(block["content"], "not on my watch");
  const json result = AwaitResult(agent);
  EXPECT_EQ(result["result"], "Tool Bash failed.");
  ASSERT_EQ(result["permission_denials"].size(), 1u);
  EXPECT_EQ(result["permission_denials"][0]["tool_name"], "Bash");
  EXPECT_FALSE(std::filesystem::exists(work_ + "/denied.txt"));
}

TEST_F(FakeAgentProtocol, InterruptStopsSlowOutputAndTheSessionStaysUsable) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: slow 200 20")));
  std::vector<json> lines;
  ASSERT_TRUE(
      agent.ReadUntil([](const json& l) { return IsKind(l, "stream_event/content_block_delta"); },
                      kTimeout, &lines));
  ASSERT_TRUE(agent.WriteJson(ControlRequest("int-1", "interrupt")));
  auto ack = agent.ReadUntil([](const json& l) { return IsKind(l, "control_response"); }, kTimeout,
                             &lines);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ((*ack)["response"]["request_id"], "int-1");
  EXPECT_EQ((*ack)["response"]["subtype"], "success");
  const json result = AwaitResult(agent, &lines);
  EXPECT_EQ(result["subtype"], "error_during_execution");
  EXPECT_EQ(result["is_error"], true);
  EXPECT_LT(TextDeltas(lines).size(), std::string("tick100 ").size() * 100);

  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: text still alive")));
  EXPECT_EQ(AwaitResult(agent)["result"], "still alive");
}

TEST_F(FakeAgentProtocol, InterruptWhilePermissionIsPendingCancelsTheRequest) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt(R"(fake: tool Bash {"command":"touch never.txt"})")));
  auto request =
      agent.ReadUntil([](const json& l) { return IsKind(l, "control_request"); }, kTimeout);
  ASSERT_TRUE(request.has_value());
  ASSERT_TRUE(agent.WriteJson(ControlRequest("int-2", "interrupt")));
  std::vector<json> lines;
  const json result = AwaitResult(agent, &lines);
  // The tool's message_stop (still owed after the ask), then cancel, then the ack.
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(LineKind(lines[0]), "stream_event/message_stop");
  EXPECT_EQ(LineKind(lines[1]), "control_cancel_request");
  EXPECT_EQ(lines[1]["request_id"], (*request)["request_id"]);
  EXPECT_EQ(LineKind(lines[2]), "control_response");
  EXPECT_EQ(lines[2]["response"]["request_id"], "int-2");
  EXPECT_EQ(result["is_error"], true);
  EXPECT_EQ(result["stop_reason"], "tool_use");
  EXPECT_FALSE(std::filesystem::exists(work_ + "/never.txt"));
}

TEST_F(FakeAgentProtocol, InterruptWhileBashRunsKillsTheCommand) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt(
      R"(fake: tool Bash {"command":"touch started.txt; sleep 30; touch finished.txt"})")));
  auto request =
      agent.ReadUntil([](const json& l) { return IsKind(l, "control_request"); }, kTimeout);
  ASSERT_TRUE(request.has_value());
  ASSERT_TRUE(agent.WriteJson(Decision((*request)["request_id"], {{"behavior", "allow"}})));
  for (int i = 0; i < 500 && !std::filesystem::exists(work_ + "/started.txt"); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(std::filesystem::exists(work_ + "/started.txt"));
  const auto interrupted_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(agent.WriteJson(ControlRequest("int-4", "interrupt")));
  std::vector<json> lines;
  const json result = AwaitResult(agent, &lines);
  EXPECT_LT(std::chrono::steady_clock::now() - interrupted_at, std::chrono::seconds(5));
  EXPECT_EQ(result["is_error"], true);
  int ack_at = -1, stopped_at = -1;
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    if (IsKind(lines[i], "control_response")) ack_at = i;
    if (IsKind(lines[i], "user") &&
        lines[i].dump().find("stopped while running") != std::string::npos) {
      stopped_at = i;
    }
  }
  ASSERT_GE(ack_at, 0);
  EXPECT_GT(stopped_at, ack_at);
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(std::filesystem::exists(work_ + "/finished.txt"));
}

TEST_F(FakeAgentProtocol, PromptSentDuringATurnIsQueuedAndRunAfterIt) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: slow 5 20")));
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: text second")));
  EXPECT_EQ(AwaitResult(agent)["result"], "tick0 tick1 tick2 tick3 tick4 ");
  EXPECT_EQ(AwaitResult(agent)["result"], "second");
}

TEST_F(FakeAgentProtocol, ResumeCarriesTheEarlierTurns) {
  {
    PipedProcess agent = Start();
    ASSERT_TRUE(agent.WriteJson(UserPrompt("first prompt")));
    AwaitResult(agent);
    agent.CloseStdin();
    auto status = agent.Wait(kTimeout);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(WEXITSTATUS(*status), 0);
  }
  PipedProcess resumed = Start("--resume");
  ASSERT_TRUE(resumed.WriteJson(UserPrompt("fake: history")));
  EXPECT_EQ(AwaitResult(resumed)["result"], "history: [first prompt] [fake: history]");
}

TEST_F(FakeAgentProtocol, SessionIdThatIsTakenFailsLikeTheCli) {
  {
    PipedProcess agent = Start();
    ASSERT_TRUE(agent.WriteJson(UserPrompt("first")));
    AwaitResult(agent);
  }
  PipedProcess again = Start();
  auto status = again.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(ReadFile(dir_.Path() + "/stderr.txt").find("is already in use"), std::string::npos);
}

TEST_F(FakeAgentProtocol, ResumeOfAnUnknownSessionEndsWithAnErrorResult) {
  PipedProcess agent = Start("--resume");
  ASSERT_TRUE(agent.WriteJson(UserPrompt("hello")));
  const json result = AwaitResult(agent);
  EXPECT_EQ(result["is_error"], true);
  EXPECT_EQ(result["num_turns"], 0);
  auto status = agent.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 1);
}

TEST_F(FakeAgentProtocol, HugeOutputIsOneLine) {
  constexpr std::size_t kBytes = 20u << 20;
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: huge " + std::to_string(kBytes))));
  std::size_t longest = 0;
  bool saw_result = false;
  while (!saw_result) {
    auto line = agent.ReadLine(kTimeout);
    ASSERT_TRUE(line.has_value());
    longest = std::max(longest, line->size());
    saw_result = IsResult(json::parse(*line));
  }
  EXPECT_GT(longest, kBytes);
}

TEST_F(FakeAgentProtocol, CrashExitsMidTurnWithoutAResult) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: text partial ;; crash 3")));
  std::vector<json> lines;
  EXPECT_FALSE(agent.ReadUntil(IsResult, kTimeout, &lines).has_value());
  EXPECT_EQ(TextDeltas(lines), "partial");
  auto status = agent.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 3);
}

TEST_F(FakeAgentProtocol, AbortDiesOfSigabrt) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: abort")));
  auto status = agent.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGABRT);
}

TEST_F(FakeAgentProtocol, HangIgnoringSigtermOutlivesItUntilSigkill) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: hang-ignore-term")));
  ASSERT_TRUE(agent.ReadUntil([](const json& l) { return IsKind(l, "stream_event/message_start"); },
                              kTimeout));
  ASSERT_TRUE(agent.WriteJson(ControlRequest("int-3", "interrupt")));
  EXPECT_FALSE(agent.ReadLine(milliseconds(300)).has_value());  // not even the interrupt
  agent.Kill(SIGTERM);
  EXPECT_FALSE(agent.Wait(milliseconds(300)).has_value());
  agent.Kill(SIGKILL);
  auto status = agent.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WTERMSIG(*status), SIGKILL);
}

TEST_F(FakeAgentProtocol, EchoEmitsNumberedTimestampedDeltasInOrder) {
  constexpr int kLines = 2000;
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: echo " + std::to_string(kLines))));
  std::vector<json> lines;
  AwaitResult(agent, &lines);
  int next = 0;
  long long last_ns = 0;
  for (const json& l : lines) {
    if (!IsKind(l, "stream_event/content_block_delta")) continue;
    long long seq = -1, ns = -1;
    std::istringstream in(l["event"]["delta"]["text"].get<std::string>().substr(5));
    in >> seq >> ns;
    EXPECT_EQ(seq, next++);
    EXPECT_GE(ns, last_ns);
    last_ns = ns;
  }
  EXPECT_EQ(next, kLines);
}

TEST_F(FakeAgentProtocol, ScriptFileDrivesTurnsInOrder) {
  const std::string script = dir_.Path() + "/script.txt";
  std::ofstream(script) << "text from the file\n---\nerror scripted failure\n";
  PipedProcess agent = Start("--session-id", {"FAKE_AGENT_SCRIPT=" + script});
  ASSERT_TRUE(agent.WriteJson(UserPrompt("anything")));
  EXPECT_EQ(AwaitResult(agent)["result"], "from the file");
  ASSERT_TRUE(agent.WriteJson(UserPrompt("anything else")));
  const json second = AwaitResult(agent);
  EXPECT_EQ(second["is_error"], true);
  EXPECT_EQ(second["result"], "scripted failure");
  ASSERT_TRUE(agent.WriteJson(UserPrompt("third")));
  EXPECT_EQ(AwaitResult(agent)["result"], "echo: third");
}

TEST_F(FakeAgentProtocol, EndOfStdinFinishesTheTurnAndExitsZero) {
  PipedProcess agent = Start();
  ASSERT_TRUE(agent.WriteJson(UserPrompt("fake: slow 3 30")));
  agent.CloseStdin();
  EXPECT_EQ(AwaitResult(agent)["result"], "tick0 tick1 tick2 ");
  auto status = agent.Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace hotplex::testing
