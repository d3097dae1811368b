#include "tests/fake_agent/agent_options.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/fake_agent/directives.hpp"

namespace hotplex::fake_agent {
namespace {

// Claude Code flags that take a value; the fake agent must skip their values.
const std::set<std::string>& ValueFlags() {
  static const std::set<std::string> flags = {"--input-format",
                                              "--output-format",
                                              "--permission-prompt-tool",
                                              "--settings",
                                              "--permission-mode",
                                              "--allowedTools",
                                              "--allowed-tools",
                                              "--disallowedTools",
                                              "--disallowed-tools",
                                              "--append-system-prompt",
                                              "--system-prompt",
                                              "--add-dir",
                                              "--max-turns",
                                              "--mcp-config",
                                              "--effort",
                                              "--fallback-model",
                                              "--agents"};
  return flags;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

Result<AgentOptions> ParseAgentOptions(int argc, char** argv) {
  AgentOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if ((arg == "--session-id" || arg == "--resume" || arg == "-r") && has_value) {
      options.session_id = argv[++i];
      options.resume = arg != "--session-id";
    } else if (arg == "--model" && has_value) {
      options.model = argv[++i];
    } else if (arg == "--plain-input") {
      options.plain_input = true;
    } else if (ValueFlags().count(arg) && has_value) {
      ++i;
    }
    // Everything else (-p, --verbose, --include-partial-messages, …) is accepted and ignored.
  }
  options.home = Env("HOME");
  if (options.home.empty()) return MakeError("fake-agent: HOME is not set");
  std::error_code ec;
  options.cwd = std::filesystem::current_path(ec).string();
  if (const std::string path = Env("FAKE_AGENT_SCRIPT"); !path.empty()) {
    std::ifstream in(path);
    if (!in) return MakeError("fake-agent: cannot read FAKE_AGENT_SCRIPT " + path);
    std::ostringstream text;
    text << in.rdbuf();
    options.scripted_turns = SplitScriptTurns(text.str());
  }
  options.plain_input = options.plain_input || Env("FAKE_AGENT_PLAIN_INPUT") == "1";
  if (const std::string delay = Env("FAKE_AGENT_STARTUP_DELAY_MS"); !delay.empty()) {
    options.startup_delay_ms = std::atoi(delay.c_str());
  }
  return options;
}

}  // namespace hotplex::fake_agent
