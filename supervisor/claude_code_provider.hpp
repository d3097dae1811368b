// ClaudeCodeProvider: drives the Claude Code CLI in stream-json mode.
//
// Argv: `claude -p --input-format stream-json --output-format stream-json
// --verbose --include-partial-messages --permission-prompt-tool stdio` with
// `--session-id <id>` the first time and `--resume <id>` afterwards, plus
// `--settings` ask rules so that the CLI asks about *every* call of the file
// and shell tools (it auto-allows read-only commands otherwise). Maps the
// CLI's stdout (stream_event deltas, assistant content blocks, user tool
// results, result) to typed events, and answers every `control_request` it
// sends: `can_use_tool` through the tenant's ToolGovernor (an `ask` waits for a
// client's answer or the ask timeout, which denies), any other subtype with an
// error response. The protocol as observed is in docs/claude-code-protocol.md.
// Thread-safety: driven by its session's strand only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "supervisor/provider.hpp"
#include "supervisor/session_policy.hpp"

namespace hotplex::supervisor {

struct ClaudeCodeSettings {
  std::vector<std::string> command = {"claude"};  // argv prefix (binary, maybe interpreter)
  std::string session_id;                         // a UUID; the CLI's conversation id
  std::string model;
  std::vector<std::string> extra_args;
  std::string append_system_prompt;
  std::chrono::milliseconds ask_timeout{5 * 60 * 1000};
  std::shared_ptr<const ToolGovernor> governor;  // null = deny every tool
};

class ClaudeCodeProvider final : public Provider {
 public:
  ClaudeCodeProvider(ProviderHost& host, ClaudeCodeSettings settings);

  const char* Name() const override { return "claude-code"; }
  std::vector<std::string> Argv(bool resume) const override;
  bool HasTurns() const override { return true; }
  // Sends an `initialize` control request; its answer marks the agent ready
  // (the CLI prints nothing at start-up otherwise).
  void OnStarted() override;
  void SendPrompt(std::string_view text) override;
  void OnStdoutLine(std::string_view line, bool truncated) override;
  void OnStderrLine(std::string_view line, bool truncated) override;
  hotplex::Status Interrupt() override;
  hotplex::Status AnswerPermission(std::string_view request_id, bool allow,
                                   std::string_view message) override;
  void OnAgentExit() override;

  std::size_t PendingAsks() const { return pending_.size(); }

 private:
  struct PendingAsk {
    std::string tool;
    nlohmann::json input;
    ToolVerdict verdict;
    ProviderHost::TimerId timer = 0;
  };

  void Dispatch(const nlohmann::json& msg);
  void OnStreamEvent(const nlohmann::json& event);
  void OnAssistant(const nlohmann::json& msg);
  void OnUser(const nlohmann::json& msg);
  void OnResult(const nlohmann::json& msg);
  static bool IsCutResultLine(std::string_view line);
  void EndTurnWithoutResult();
  void OnControlRequest(const nlohmann::json& msg);
  void OnControlResponse(const nlohmann::json& msg);
  void OnControlCancel(const nlohmann::json& msg);
  void OnCanUseTool(const std::string& request_id, const nlohmann::json& request);
  void OnAskTimeout(const std::string& request_id);
  void Answer(const std::string& request_id, bool allow, const nlohmann::json& input,
              const std::string& message);
  void AnswerError(const std::string& request_id, const std::string& error);
  void Conclude(const std::string& request_id, const std::string& tool, const nlohmann::json& input,
                bool allow, const ToolVerdict& verdict, DecisionSource source, std::string message);

  ProviderHost& host_;
  const ClaudeCodeSettings settings_;
  std::map<std::string, PendingAsk, std::less<>> pending_;
  std::set<std::string> streamed_messages_;  // message ids whose text arrived as deltas
  std::uint64_t next_request_ = 1;
  std::string initialize_id_;
  double process_cost_usd_ = 0;  // the CLI reports cost cumulatively per process
};

// A short human summary of a tool input: the Bash command, the file path, ...
std::string SummarizeToolInput(std::string_view tool, const nlohmann::json& input);

}  // namespace hotplex::supervisor
