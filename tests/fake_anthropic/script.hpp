// The scripted behaviour of the fake Anthropic Messages API.
//
// A script is JSON:
//   {"turns": [Turn...], "default_reply": Reply}            (both optional)
//   Turn  = {"match": "substring" (optional), "repeat": false, "replies": [Reply...]}
//           or a bare Reply (a turn with one reply)
//   Reply = {"thinking": "...", "text": "...",
//            "tool_use": {"name": "Bash", "input": {...}, "id": "toolu_x" (optional)},
//            "chunk_size": 16,        characters per delta (text, thinking, tool input JSON)
//            "delay_ms": 0,           pause before every delta (interrupt tests)
//            "first_byte_delay_ms": 0,
//            "stop_reason": "end_turn" | "tool_use" (default: from the blocks),
//            "input_tokens": 10, "output_tokens": 5,
//            "error": {"status": 500, "type": "api_error", "message": "..."}}
// A turn answers one user prompt: its first reply answers the request that carries the
// prompt, the next ones answer the follow-up requests (the ones carrying tool_result
// blocks). Turns are picked in order, or by `match` (a substring of the prompt text).
// Thread-safety: plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::fake_anthropic {

struct ToolUse {
  std::string id;  // empty: the server makes one up
  std::string name;
  nlohmann::json input = nlohmann::json::object();
};

struct ApiError {
  int status = 500;
  std::string type = "api_error";
  std::string message = "scripted error";
};

struct Reply {
  std::string thinking;
  std::string text;
  std::optional<ToolUse> tool_use;
  std::size_t chunk_size = 16;
  int delay_ms = 0;
  int first_byte_delay_ms = 0;
  std::string stop_reason;  // empty: "tool_use" when there is a tool_use block, else "end_turn"
  int input_tokens = 10;
  int output_tokens = 5;
  std::optional<ApiError> error;

  std::string StopReason() const;
};

struct Turn {
  std::string match;    // empty: matches any prompt, in order
  bool repeat = false;  // true: never used up
  std::vector<Reply> replies;
};

struct Script {
  std::vector<Turn> turns;
  Reply default_reply;
};

// Parses a script document; every error names the offending field.
Result<Script> ParseScript(const std::string& text);
Result<Script> LoadScript(const std::string& path);
Script DefaultScript();

}  // namespace hotplex::fake_anthropic
