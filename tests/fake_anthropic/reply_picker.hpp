// Picks the scripted Reply for each POST /v1/messages request.
//
// A request whose last user message ends with a tool_result block continues the current
// turn of its conversation (the next reply of that turn, else the default reply); any
// other request starts a new turn: the first unused turn whose `match` occurs in the
// prompt text, else the first unused turn without `match`, else the default reply.
// Conversations are told apart by the X-Claude-Code-Session-Id header, so several CLI
// sessions can share one server. Thread-safety: all methods lock one mutex.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fake_anthropic/script.hpp"

namespace hotplex::fake_anthropic {

// The text of the last user prompt in a Messages API request body: the text blocks of
// the last role:"user" message that come after its last tool_result block.
std::string PromptText(const nlohmann::json& body);
// True when the last role:"user" message ends with a tool_result block.
bool IsToolResultFollowUp(const nlohmann::json& body);

class ReplyPicker {
 public:
  explicit ReplyPicker(Script script);
  void Replace(Script script);
  Reply Pick(const nlohmann::json& body, const std::string& conversation);

 private:
  Reply StartTurn(const std::string& prompt, std::deque<Reply>& pending);

  std::mutex mu_;
  Script script_;
  std::vector<bool> used_;
  std::map<std::string, std::deque<Reply>> pending_;
};

}  // namespace hotplex::fake_anthropic
