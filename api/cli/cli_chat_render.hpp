// ChatRenderer: how `hotplexd chat` shows a session's events to a person.
// Assistant text streams as it arrives; tool calls, policy decisions, errors
// and turn ends are one line each. Everything that came from the agent or the
// server passes TerminalSafe first: an agent must not be able to drive the
// user's terminal (escape sequences that retitle the window, rewrite earlier
// lines, write to the clipboard, or reorder text with bidi controls).
// Thread-safety: one owner (the chat's output lock).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hotplex::cli {

// `text` with every C0/C1 control character (except \t, and \n when
// `keep_newlines`), DEL, bidi override/isolate marks and invalid UTF-8 bytes
// replaced by a visible escape (\x1b, \u009b, \u202e, \xff).
std::string TerminalSafe(std::string_view text, bool keep_newlines);

// One line (no newline) naming a tool call: "Bash: ls -la", "Write: notes.txt",
// else the tool and its input as compact JSON; terminal-safe, at most
// `max_bytes` (cut with "...").
std::string ToolSummary(const std::string& tool, const nlohmann::json& input,
                        std::size_t max_bytes);

class ChatRenderer {
 public:
  // The text to print for one event object of api/PROTOCOL.md ("" for events
  // not shown: usage, thinking, ready/busy status, ...).
  std::string Render(const nlohmann::json& event);

 private:
  std::string Line(std::string line);  // a one-line item, on a line of its own
  std::string Text(const nlohmann::json& data);
  std::string Decision(const nlohmann::json& data);
  std::string Ask(const nlohmann::json& data);
  std::string TurnEnd(const nlohmann::json& data);
  std::string Status(const nlohmann::json& data);

  bool at_line_start_ = true;
  nlohmann::json last_usage_;  // the turn's usage event, shown with its turn_end
};

}  // namespace hotplex::cli
