// Command line and environment of the fake agent. It accepts Claude Code's flags and
// uses only these: --session-id, --resume, --model, and adds --plain-input. Environment:
// HOME (transcripts), FAKE_AGENT_SCRIPT (file of per-turn scripts),
// FAKE_AGENT_STARTUP_DELAY_MS, FAKE_AGENT_PLAIN_INPUT=1 (same as --plain-input).
// Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::fake_agent {

struct AgentOptions {
  std::string session_id;  // from --session-id or --resume; random when neither
  bool resume = false;
  std::string model = "claude-fake";
  std::string home;
  std::string cwd;
  std::vector<std::string> scripted_turns;
  int startup_delay_ms = 0;
  // Non-JSON stdin lines are prompts (for websocketd); otherwise they end the process
  // with exit 1, as they end the real CLI.
  bool plain_input = false;
};

Result<AgentOptions> ParseAgentOptions(int argc, char** argv);

}  // namespace hotplex::fake_agent
