#include "supervisor/claude_code_provider.hpp"

#include <gtest/gtest.h>

#include "tests/unit/supervisor/fake_provider_host.hpp"

namespace hotplex::supervisor {
namespace {

using nlohmann::json;
using testing::FakeProviderHost;

// Allows everything except Bash commands containing "rm", asks for Write.
class ScriptedGovernor : public ToolGovernor {
 public:
  ToolVerdict DecideTool(std::string_view tool, const json& input,
                         const std::string& workdir) const override {
    last_workdir = workdir;
    if (tool == "Write") return {policies::Verdict::kAsk, "tools.ask", "", "tools", "confirm", ""};
    if (tool == "Bash" && input.value("command", "").find("rm") != std::string::npos) {
      return {policies::Verdict::kDeny, "destructive.rm", "critical", "destructive", "no rm", "rm"};
    }
    return {policies::Verdict::kAllow, "", "", "", "", ""};
  }
  mutable std::string last_workdir;
};

class ClaudeCodeProviderTest : public ::testing::Test {
 protected:
  ClaudeCodeProviderTest() : provider_(host_, Settings()) {}
  ClaudeCodeSettings Settings() {
    ClaudeCodeSettings s;
    s.command = {"/opt/claude"};
    s.session_id = "11111111-2222-4333-8444-555555555555";
    s.model = "m1";
    s.ask_timeout = std::chrono::milliseconds(1234);
    s.governor = governor_;
    return s;
  }
  void Feed(const json& j) { provider_.OnStdoutLine(j.dump(), false); }
  void CanUseTool(const std::string& id, const std::string& tool, const json& input) {
    Feed({{"type", "control_request"},
          {"request_id", id},
          {"request", {{"subtype", "can_use_tool"}, {"tool_name", tool}, {"input", input}}}});
  }

  std::shared_ptr<ScriptedGovernor> governor_ = std::make_shared<ScriptedGovernor>();
  FakeProviderHost host_;
  ClaudeCodeProvider provider_;
};

TEST_F(ClaudeCodeProviderTest, ArgvUsesSessionIdFirstAndResumeAfter) {
  auto first = provider_.Argv(false);
  EXPECT_EQ(first[0], "/opt/claude");
  for (const char* flag : {"-p", "--verbose", "--include-partial-messages", "stream-json"}) {
    EXPECT_NE(std::find(first.begin(), first.end(), flag), first.end()) << flag;
  }
  auto pos = std::find(first.begin(), first.end(), "--permission-prompt-tool");
  ASSERT_NE(pos, first.end());
  EXPECT_EQ(*(pos + 1), "stdio");
  pos = std::find(first.begin(), first.end(), "--session-id");
  ASSERT_NE(pos, first.end());
  EXPECT_EQ(*(pos + 1), "11111111-2222-4333-8444-555555555555");
  auto resumed = provider_.Argv(true);
  EXPECT_EQ(std::find(resumed.begin(), resumed.end(), "--session-id"), resumed.end());
  pos = std::find(resumed.begin(), resumed.end(), "--resume");
  ASSERT_NE(pos, resumed.end());
  EXPECT_EQ(*(pos + 1), "11111111-2222-4333-8444-555555555555");
  pos = std::find(resumed.begin(), resumed.end(), "--model");
  ASSERT_NE(pos, resumed.end());
  EXPECT_EQ(*(pos + 1), "m1");
}

TEST_F(ClaudeCodeProviderTest, InitializeAnswerMarksReady) {
  provider_.OnStarted();
  const json init = host_.LastLineJson();
  EXPECT_EQ(init["request"]["subtype"], "initialize");
  EXPECT_EQ(host_.ready_calls, 0);
  Feed({{"type", "control_response"},
        {"response", {{"subtype", "success"}, {"request_id", init["request_id"]}}}});
  EXPECT_EQ(host_.ready_calls, 1);
}

TEST_F(ClaudeCodeProviderTest, PromptIsAUserLine) {
  provider_.SendPrompt("hi \"there\"");
  const json j = host_.LastLineJson();
  EXPECT_EQ(j["type"], "user");
  EXPECT_EQ(j["message"]["role"], "user");
  EXPECT_EQ(j["message"]["content"], "hi \"there\"");
}

TEST_F(ClaudeCodeProviderTest, StreamedTextIsNotRepeatedByTheAssistantLine) {
  Feed({{"type", "stream_event"},
        {"event", {{"type", "message_start"}, {"message", {{"id", "m1"}}}}}});
  for (const char* piece : {"Hello ", "world"}) {
    Feed({{"type", "stream_event"},
          {"event",
           {{"type", "content_block_delta"},
            {"delta", {{"type", "text_delta"}, {"text", piece}}}}}});
  }
  Feed({{"type", "assistant"},
        {"message", {{"id", "m1"}, {"content", {{{"type", "text"}, {"text", "Hello world"}}}}}}});
  auto texts = host_.Of<Text>();
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0].text + texts[1].text, "Hello world");
  EXPECT_TRUE(texts[0].delta);
}

TEST_F(ClaudeCodeProviderTest, MapsToolUseToolResultThinkingAndResult) {
  Feed({{"type", "assistant"},
        {"message",
         {{"id", "m2"},
          {"content",
           {{{"type", "thinking"}, {"thinking", "hmm"}},
            {{"type", "tool_use"},
             {"id", "toolu_1"},
             {"name", "Bash"},
             {"input", {{"command", "ls"}}}}}}}}});
  Feed({{"type", "user"},
        {"message",
         {{"role", "user"},
          {"content",
           {{{"type", "tool_result"},
             {"tool_use_id", "toolu_1"},
             {"content", {{{"type", "text"}, {"text", "a.txt"}}}},
             {"is_error", false}}}}}}});
  Feed({{"duration_ms", 197},
        {"type", "result"},
        {"subtype", "success"},
        {"is_error", false},
        {"result", "done"},
        {"total_cost_usd", 0.25},
        {"usage", {{"input_tokens", 10}, {"output_tokens", 5}, {"cache_read_input_tokens", 2}}}});
  Feed({{"type", "result"},
        {"subtype", "success"},
        {"total_cost_usd", 0.75},
        {"usage", json::object()}});
  ASSERT_EQ(host_.Of<Thinking>().size(), 1u);
  auto tools = host_.Of<ToolUse>();
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_EQ(tools[0].input["command"], "ls");
  auto results = host_.Of<ToolResult>();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].content, "a.txt");
  auto usage = host_.Of<Usage>();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].input_tokens, 10u);
  EXPECT_EQ(usage[0].cache_read_tokens, 2u);
  // The CLI reports cost cumulatively per process: each turn gets the difference.
  EXPECT_DOUBLE_EQ(usage[0].cost_usd, 0.25);
  EXPECT_DOUBLE_EQ(usage[1].cost_usd, 0.5);
  auto ends = host_.Of<TurnEnd>();
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].result, "done");
  EXPECT_EQ(ends[0].duration_ms, 197);
}

TEST_F(ClaudeCodeProviderTest, AllowedToolIsAnsweredWithUpdatedInput) {
  CanUseTool("r1", "Bash", {{"command", "ls -la"}});
  const json answer = host_.LastLineJson();
  EXPECT_EQ(answer["type"], "control_response");
  EXPECT_EQ(answer["response"]["subtype"], "success");
  EXPECT_EQ(answer["response"]["request_id"], "r1");
  EXPECT_EQ(answer["response"]["response"]["behavior"], "allow");
  EXPECT_EQ(answer["response"]["response"]["updatedInput"]["command"], "ls -la");
  EXPECT_EQ(governor_->last_workdir, "/work/project");
  auto decisions = host_.Of<PermissionDecision>();
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_TRUE(decisions[0].allowed);
  EXPECT_EQ(decisions[0].input_summary, "ls -la");
}

TEST_F(ClaudeCodeProviderTest, DeniedToolIsAnsweredWithThePolicyMessage) {
  CanUseTool("r2", "Bash", {{"command", "rm -rf ~"}});
  const json answer = host_.LastLineJson();
  EXPECT_EQ(answer["response"]["response"]["behavior"], "deny");
  EXPECT_EQ(answer["response"]["response"]["message"], "no rm");
  auto d = host_.Of<PermissionDecision>().at(0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "destructive.rm");
  EXPECT_EQ(d.level, "critical");
  EXPECT_EQ(d.source, DecisionSource::kPolicy);
}

TEST_F(ClaudeCodeProviderTest, AskWaitsForTheClient) {
  CanUseTool("r3", "Write", {{"file_path", "/work/project/a"}});
  EXPECT_TRUE(host_.lines.empty());
  auto requests = host_.Of<PermissionRequest>();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].timeout_ms, 1234);
  EXPECT_FALSE(provider_.AnswerPermission("nope", true, ""));
  ASSERT_TRUE(provider_.AnswerPermission("r3", true, ""));
  EXPECT_EQ(host_.LastLineJson()["response"]["response"]["behavior"], "allow");
  EXPECT_TRUE(host_.timers.empty());
  EXPECT_EQ(host_.Of<PermissionDecision>().at(0).source, DecisionSource::kClient);
  EXPECT_FALSE(provider_.AnswerPermission("r3", true, "")) << "answered twice";
}

TEST_F(ClaudeCodeProviderTest, UnansweredAskIsDeniedAtTheTimeout) {
  CanUseTool("r4", "Write", {{"file_path", "x"}});
  ASSERT_EQ(host_.timers.size(), 1u);
  EXPECT_EQ(host_.timers.begin()->second.first.count(), 1234);
  host_.FireTimers();
  EXPECT_EQ(host_.LastLineJson()["response"]["response"]["behavior"], "deny");
  EXPECT_EQ(host_.Of<PermissionDecision>().at(0).source, DecisionSource::kTimeout);
  EXPECT_EQ(provider_.PendingAsks(), 0u);
}

TEST_F(ClaudeCodeProviderTest, CancelledAskIsNotAnswered) {
  CanUseTool("r5", "Write", {{"file_path", "x"}});
  Feed({{"type", "control_cancel_request"}, {"request_id", "r5"}});
  EXPECT_TRUE(host_.lines.empty());
  EXPECT_TRUE(host_.timers.empty());
  EXPECT_EQ(host_.Of<PermissionDecision>().at(0).source, DecisionSource::kCancelled);
}

TEST_F(ClaudeCodeProviderTest, UnknownControlSubtypeGetsAnErrorResponse) {
  Feed({{"type", "control_request"},
        {"request_id", "x1"},
        {"request", {{"subtype", "frobnicate"}}}});
  const json answer = host_.LastLineJson();
  EXPECT_EQ(answer["response"]["subtype"], "error");
  EXPECT_EQ(answer["response"]["request_id"], "x1");
}

TEST_F(ClaudeCodeProviderTest, NoGovernorDeniesEverything) {
  FakeProviderHost host;
  ClaudeCodeSettings s;
  ClaudeCodeProvider provider(host, s);
  provider.OnStdoutLine(
      R"({"type":"control_request","request_id":"a","request":{"subtype":"can_use_tool","tool_name":"Read","input":{}}})",
      false);
  EXPECT_EQ(host.LastLineJson()["response"]["response"]["behavior"], "deny");
}

TEST_F(ClaudeCodeProviderTest, InterruptIsAControlRequest) {
  ASSERT_TRUE(provider_.Interrupt());
  const json j = host_.LastLineJson();
  EXPECT_EQ(j["type"], "control_request");
  EXPECT_EQ(j["request"]["subtype"], "interrupt");
}

TEST_F(ClaudeCodeProviderTest, GarbageAndTruncatedLinesBecomeErrorsNotCrashes) {
  for (const char* line :
       {"not json", "[1,2]", "{\"type\":", "{\"type\":\"assistant\",\"message\":7}",
        "{\"type\":\"result\",\"usage\":\"x\",\"duration_ms\":\"y\"}"}) {
    provider_.OnStdoutLine(line, false);
  }
  provider_.OnStdoutLine("{\"type\":\"assistant\"", true);
  auto errors = host_.Of<ErrorEvent>();
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].code, ErrorCode::kUnparsedOutput);
  EXPECT_EQ(errors[3].code, ErrorCode::kLineTruncated);
}

TEST_F(ClaudeCodeProviderTest, AgentExitDropsPendingAsks) {
  CanUseTool("r6", "Write", {{"file_path", "x"}});
  provider_.OnAgentExit();
  EXPECT_EQ(provider_.PendingAsks(), 0u);
  EXPECT_TRUE(host_.timers.empty());
}

TEST_F(ClaudeCodeProviderTest, CutResultLineStillEndsTheTurnAsAnError) {
  // A final answer longer than events.max_line_bytes: the splitter delivers the first
  // bytes of the result line (written by the CLI with "type" first) flagged truncated.
  const std::string cut =
      R"({"type":"result","subtype":"success","result":")" + std::string(80, 'x');
  provider_.OnStdoutLine(cut, true);
  auto ends = host_.Of<TurnEnd>();
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_TRUE(ends[0].is_error);
  EXPECT_EQ(ends[0].subtype, "result_truncated");
  auto errors = host_.Of<ErrorEvent>();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kLineTruncated);
}

TEST_F(ClaudeCodeProviderTest, OtherCutLinesDoNotEndTheTurn) {
  const std::string cut = R"({"type":"assistant","message":{"content":")" + std::string(80, 'x');
  provider_.OnStdoutLine(cut, true);
  EXPECT_TRUE(host_.Of<TurnEnd>().empty());
  EXPECT_EQ(host_.Of<ErrorEvent>().size(), 1u);
}

}  // namespace
}  // namespace hotplex::supervisor
