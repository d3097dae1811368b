// Differential tests: the same scenario driven against the real Claude Code CLI (with
// fake-anthropic behind it) and against fake-agent must give the same sequence of line
// kinds (runs of deltas collapsed). This keeps the fake honest when the CLI changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "tests/fake_anthropic/api_server.hpp"
#include "tests/support/claude_cli.hpp"
#include "tests/support/piped_process.hpp"
#include "tests/support/stream_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fa = hotplex::fake_anthropic;

constexpr milliseconds kTimeout{60000};
const std::string kFakeAgent = HOTPLEX_BINARY_DIR "/tests/bin/fake-agent";
const std::string kSessionId = "f1de1175-0000-4000-8000-000000000001";

// Drives one turn: sends `prompt`, reacts, returns every line up to the result.
using Driver = std::function<std::vector<json>(PipedProcess&, const std::string& prompt)>;

std::vector<json> ReadThroughResult(PipedProcess& p, std::vector<json> lines = {}) {
  if (!p.ReadUntil(IsResult, kTimeout, &lines)) throw std::runtime_error("no result line");
  return lines;
}

std::vector<json> AwaitKind(PipedProcess& p, const std::string& kind, std::vector<json>& lines) {
  if (!p.ReadUntil([&](const json& l) { return IsKind(l, kind); }, kTimeout, &lines)) {
    throw std::runtime_error("no " + kind + " line");
  }
  return lines;
}

std::vector<json> TextTurn(PipedProcess& p, const std::string& prompt) {
  p.WriteJson(UserPrompt(prompt));
  return ReadThroughResult(p);
}

Driver ToolTurn(const json& decision) {
  return [decision](PipedProcess& p, const std::string& prompt) {
    p.WriteJson(UserPrompt(prompt));
    std::vector<json> lines;
    AwaitKind(p, "control_request", lines);
    json answer = decision;
    if (answer["behavior"] == "allow") answer["updatedInput"] = lines.back()["request"]["input"];
    p.WriteJson(ControlAnswer(lines.back(), answer));
    return ReadThroughResult(p, std::move(lines));
  };
}

// Interrupts once every kind in `kinds` has been seen, in that order.
Driver InterruptAfter(std::vector<std::string> kinds) {
  return [kinds](PipedProcess& p, const std::string& prompt) {
    p.WriteJson(UserPrompt(prompt));
    std::vector<json> lines;
    for (const auto& kind : kinds) AwaitKind(p, kind, lines);
    p.WriteJson(ControlRequest("int-1", "interrupt"));
    return ReadThroughResult(p, std::move(lines));
  };
}

std::string Join(const std::vector<std::string>& kinds) {
  std::string text;
  for (const auto& k : kinds) text += k + "\n";
  return text;
}

class FakeAgentFidelity : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = ClaudeMissingReason();
    ASSERT_TRUE(missing.empty()) << missing;
  }

  std::vector<json> RunCli(const std::string& script, const std::string& prompt,
                           const Driver& drive) {
    auto parsed = fa::ParseScript(script);
    if (!parsed) throw std::runtime_error(parsed.error().message);
    fa::FakeAnthropicServer api(std::move(*parsed));
    auto port = api.Start(0);
    if (!port) throw std::runtime_error(port.error().message);
    PipedProcess cli =
        Spawn(ClaudeBinary(), "cli",
              {"ANTHROPIC_BASE_URL=http://127.0.0.1:" + std::to_string(*port),
               "ANTHROPIC_API_KEY=anything", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"});
    return drive(cli, prompt);
  }

  std::vector<json> RunFakeAgent(const std::string& prompt, const Driver& drive) {
    PipedProcess agent = Spawn(kFakeAgent, "fake", {});
    return drive(agent, prompt);
  }

  // The real CLI sends its can_use_tool control_request as soon as the tool_use
  // block is complete, concurrently with streaming the rest of the message, so
  // whether it comes before or after message_delta varies between runs (seen
  // in CI). Compared: the stream without control requests, how many there are,
  // and that each follows the `assistant` message carrying its tool_use.
  void ExpectSameKinds(const std::vector<json>& cli, const std::vector<json>& fake) {
    const auto split = [](const std::vector<std::string>& kinds) {
      std::pair<std::vector<std::string>, int> out;  // (the rest, control requests)
      bool after_assistant = false;
      for (const auto& k : kinds) {
        if (k == "assistant") after_assistant = true;
        if (k != "control_request") {
          out.first.push_back(k);
          continue;
        }
        ++out.second;
        EXPECT_TRUE(after_assistant) << "a control_request before any assistant message";
      }
      return out;
    };
    const auto fake_kinds = split(CollapsedKinds(fake));
    const auto cli_kinds = split(CollapsedKinds(cli));
    EXPECT_EQ(Join(fake_kinds.first), Join(cli_kinds.first))
        << "left: fake-agent, right: the real CLI (control requests left out)";
    EXPECT_EQ(fake_kinds.second, cli_kinds.second)
        << "control requests: fake-agent vs the real CLI";
  }

 private:
  PipedProcess Spawn(const std::string& binary, const std::string& name,
                     std::vector<std::string> env) {
    const std::string root = dir_.Path() + "/" + name;
    for (const char* sub : {"/home", "/work", "/tmp"})
      std::filesystem::create_directories(root + sub);
    env.push_back("PATH=/usr/bin:/bin");
    env.push_back("HOME=" + root + "/home");
    env.push_back("TMPDIR=" + root + "/tmp");
    auto process =
        PipedProcess::Spawn({{binary, "-p", "--input-format", "stream-json", "--output-format",
                              "stream-json", "--verbose", "--include-partial-messages",
                              "--permission-prompt-tool", "stdio", session_flag_, kSessionId},
                             env,
                             root + "/work",
                             root + "/stderr.txt"});
    if (!process) throw std::runtime_error(process.error().Describe());
    return std::move(*process);
  }

  TempDir dir_{"fidelity-test"};

 protected:
  std::string session_flag_ = "--session-id";
};

TEST_F(FakeAgentFidelity, TextTurn) {
  ExpectSameKinds(RunCli(R"({"turns":[{"text":"one two three","chunk_size":4}]})", "hi", TextTurn),
                  RunFakeAgent("fake: text one two three", TextTurn));
}

TEST_F(FakeAgentFidelity, ThinkingThenText) {
  ExpectSameKinds(RunCli(R"({"turns":[{"thinking":"let me see","chunk_size":4,"text":"done"}]})",
                         "hi", TextTurn),
                  RunFakeAgent("fake: thinking let me see ;; text done", TextTurn));
}

TEST_F(FakeAgentFidelity, AllowedToolTurn) {
  const Driver allow = ToolTurn({{"behavior", "allow"}});
  ExpectSameKinds(
      RunCli(
          R"({"turns":[{"replies":[{"tool_use":{"name":"Bash","input":{"command":"echo a > a.txt"}}},
                                      {"text":"Done."}]}]})",
          "go", allow),
      RunFakeAgent(R"(fake: tool Bash {"command":"echo a > a.txt"} ;; text Done.)", allow));
}

TEST_F(FakeAgentFidelity, DeniedToolTurn) {
  const Driver deny = ToolTurn({{"behavior", "deny"}, {"message", "no"}});
  ExpectSameKinds(
      RunCli(
          R"({"turns":[{"replies":[{"tool_use":{"name":"Bash","input":{"command":"echo a > a.txt"}}},
                                      {"text":"Understood."}]}]})",
          "go", deny),
      RunFakeAgent(R"(fake: tool Bash {"command":"echo a > a.txt"} ;; text Understood.)", deny));
}

TEST_F(FakeAgentFidelity, InterruptWhileStreaming) {
  const Driver interrupt = InterruptAfter({"stream_event/content_block_delta"});
  ExpectSameKinds(
      RunCli(
          R"({"turns":[{"text":"aaaa bbbb cccc dddd eeee ffff","chunk_size":5,"delay_ms":200}]})",
          "go", interrupt),
      RunFakeAgent("fake: slow 6 200", interrupt));
}

TEST_F(FakeAgentFidelity, InterruptWhilePermissionIsPending) {
  // The CLI asks before the tool message's message_stop; an interrupt in between races
  // with the end of the API stream, so wait for the message_stop.
  const Driver interrupt = InterruptAfter({"control_request", "stream_event/message_stop"});
  ExpectSameKinds(
      RunCli(
          R"({"turns":[{"replies":[{"tool_use":{"name":"Bash","input":{"command":"echo a > a.txt"}}},
                                      {"text":"unused"}]}]})",
          "go", interrupt),
      RunFakeAgent(R"(fake: tool Bash {"command":"echo a > a.txt"})", interrupt));
}

TEST_F(FakeAgentFidelity, InterruptWhileBashRuns) {
  const Driver interrupt_running = [](PipedProcess& p, const std::string& prompt) {
    p.WriteJson(UserPrompt(prompt));
    std::vector<json> lines;
    AwaitKind(p, "control_request", lines);
    p.WriteJson(ControlAnswer(
        lines.back(), {{"behavior", "allow"}, {"updatedInput", lines.back()["request"]["input"]}}));
    std::this_thread::sleep_for(milliseconds(1500));  // the command is running by now
    p.WriteJson(ControlRequest("int-1", "interrupt"));
    return ReadThroughResult(p, std::move(lines));
  };
  const std::string command = R"({"command":"sleep 20 && echo late > late.txt"})";
  ExpectSameKinds(RunCli(R"({"turns":[{"replies":[{"tool_use":{"name":"Bash","input":)" + command +
                             R"(}},{"text":"unused"}]}]})",
                         "go", interrupt_running),
                  RunFakeAgent("fake: tool Bash " + command, interrupt_running));
}

TEST_F(FakeAgentFidelity, QueuedPromptRunsAsASecondTurn) {
  const Driver two_turns = [](PipedProcess& p, const std::string& prompt) {
    p.WriteJson(UserPrompt(prompt));
    p.WriteJson(UserPrompt(prompt));
    std::vector<json> lines = ReadThroughResult(p);
    return ReadThroughResult(p, std::move(lines));
  };
  ExpectSameKinds(
      RunCli(R"({"turns":[{"text":"one two"},{"text":"three four"}]})", "hi", two_turns),
      RunFakeAgent("fake: text one two", two_turns));
}

TEST_F(FakeAgentFidelity, ResumeOfAnUnknownSession) {
  session_flag_ = "--resume";
  ExpectSameKinds(RunCli("{}", "hi", TextTurn), RunFakeAgent("hi", TextTurn));
}

}  // namespace
}  // namespace hotplex::testing
