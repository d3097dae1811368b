#include "tests/fake_agent/agent_options.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/argv.hpp"
#include "tests/fake_agent/directives.hpp"

namespace hotplex::fake_agent {
namespace {

// Claude Code flags that take a value; the fake agent must skip their values.
constexpr std::string_view kIgnoredValueFlags[] = {"--input-format",
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

// Everything else (-p, --verbose, --include-partial-messages, …) is accepted and ignored.
Status ParseFlags(int argc, char** argv, AgentOptions& options) {
  ArgvParser parser;
  parser.Unknown(ArgvParser::UnknownOptions::kIgnore)
      .Value({"--session-id"},
             [&options](const std::string& id) {
               options.session_id = id;
               options.resume = false;
               return Status{};
             })
      .Value({"--resume", "-r"},
             [&options](const std::string& id) {
               options.session_id = id;
               options.resume = true;
               return Status{};
             })
      .Value({"--model"}, options.model)
      .Switch({"--plain-input"}, options.plain_input);
  for (const std::string_view flag : kIgnoredValueFlags) {
    parser.Value({flag}, [](const std::string&) { return Status{}; });
  }
  auto rest = parser.Parse(ArgsOf(argc, argv));
  if (!rest) return MakeError("fake-agent: " + rest.error().message);
  return {};
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

Result<AgentOptions> ParseAgentOptions(int argc, char** argv) {
  AgentOptions options;
  HOTPLEX_TRY_STATUS(ParseFlags(argc, argv, options));
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
