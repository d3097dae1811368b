// FakeAgent: a stand-in for `claude -p --input-format stream-json --output-format
// stream-json --verbose --include-partial-messages --permission-prompt-tool stdio` that
// behaves like Claude Code 2.1.330 on its pipes (docs/claude-code-protocol.md) but
// answers from scripts (directives.hpp) instead of a model.
//
// Single-threaded: stdin is polled with deadlines, so slow output and permission waits
// notice an interrupt (or EOF) without a reader thread. Prompts that arrive during a
// turn are queued and run afterwards, like the CLI does. A line that is not JSON ends
// the process with exit 1 like the CLI, unless options.plain_input makes it a prompt.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/fake_agent/agent_options.hpp"
#include "tests/fake_agent/directives.hpp"
#include "tests/fake_agent/line_io.hpp"
#include "tests/fake_agent/protocol_writer.hpp"
#include "tests/fake_agent/transcript.hpp"

namespace hotplex::fake_agent {

class FakeAgent {
 public:
  FakeAgent(AgentOptions options, int in_fd, int out_fd);
  // Runs until stdin ends; returns the process exit code.
  int Run();

 private:
  enum class Wake { kReady, kTimeout, kInterrupted, kEof };

  struct Turn {
    std::string message_id;
    bool message_open = false;
    int block_index = 0;
    int api_calls = 0;
    std::string last_text;
    std::string pending_reply;  // after a tool: the model's answer, unless a directive follows
    nlohmann::json permission_denials = nlohmann::json::array();
    bool ended = false;  // a result line was written
  };

  // Input side (fake_agent.cpp).
  Wake Pump(std::optional<Clock::time_point> deadline, const std::string* awaited);
  void HandleLine(const std::string& line);
  void HandleControlRequest(const nlohmann::json& line);
  void AnswerInterrupt();
  bool StartTranscript();

  // Turn side (fake_agent_turn.cpp).
  void RunTurn(const std::string& prompt);
  bool RunDirective(const Directive& d, Turn& turn);
  void BeginMessage(Turn& turn);
  // message_delta, `before_stop` (if any), message_stop.
  void EndMessage(Turn& turn, const nlohmann::json& stop_reason,
                  const std::function<void()>& before_stop = nullptr);
  bool StreamBlock(Turn& turn, const std::string& type, const std::vector<std::string>& pieces,
                   int64_t interval_us);
  void EmitToolUse(const Directive& d, Turn& turn, const std::string& tool_use_id,
                   const std::string& request_id);
  bool UseTool(const Directive& d, Turn& turn);
  struct ToolOutcome {
    std::string content;
    bool is_error = false;
  };
  std::optional<ToolOutcome> RunTool(const std::string& name, const nlohmann::json& input);
  bool CollectOutput(int fd, std::string& output);
  void FinishInterrupted(Turn& turn, const std::string& text_so_far, bool tool_use);
  void FinishTurn(Turn& turn, bool is_error, const std::string& error);
  [[noreturn]] void Hang(bool ignore_term);

  AgentOptions options_;
  LineReader reader_;
  ProtocolWriter out_;
  std::optional<Transcript> transcript_;
  std::string transcript_error_;  // set when --resume found nothing
  std::deque<std::string> queued_prompts_;
  std::map<std::string, nlohmann::json> responses_;
  std::optional<std::string> interrupt_request_;
  bool in_turn_ = false;
  bool last_turn_error_ = false;
  std::size_t turns_run_ = 0;
  int message_counter_ = 0;
  double total_cost_usd_ = 0;
};

}  // namespace hotplex::fake_agent
