#include "tests/fake_anthropic/reply_picker.hpp"

namespace hotplex::fake_anthropic {
namespace {

using nlohmann::json;

const json* LastUserMessage(const json& body) {
  const json* last = nullptr;
  if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array()) {
    return nullptr;
  }
  for (const json& m : body["messages"]) {
    if (m.is_object() && m.value("role", "") == "user") last = &m;
  }
  return last;
}

bool IsBlockOfType(const json& block, const char* type) {
  return block.is_object() && block.value("type", "") == type;
}

}  // namespace

std::string PromptText(const json& body) {
  const json* message = LastUserMessage(body);
  if (message == nullptr || !message->contains("content")) return {};
  const json& content = (*message)["content"];
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return {};
  std::string text;
  for (const json& block : content) {
    if (IsBlockOfType(block, "tool_result")) text.clear();
    if (!IsBlockOfType(block, "text") || !block.contains("text")) continue;
    if (!text.empty()) text += "\n";
    text += block["text"].get<std::string>();
  }
  return text;
}

bool IsToolResultFollowUp(const json& body) {
  const json* message = LastUserMessage(body);
  if (message == nullptr || !message->contains("content")) return false;
  const json& content = (*message)["content"];
  return content.is_array() && !content.empty() && IsBlockOfType(content.back(), "tool_result");
}

ReplyPicker::ReplyPicker(Script script) { Replace(std::move(script)); }

void ReplyPicker::Replace(Script script) {
  std::lock_guard lock(mu_);
  script_ = std::move(script);
  used_.assign(script_.turns.size(), false);
  pending_.clear();
}

Reply ReplyPicker::Pick(const json& body, const std::string& conversation) {
  std::lock_guard lock(mu_);
  std::deque<Reply>& pending = pending_[conversation];
  if (IsToolResultFollowUp(body)) {
    if (pending.empty()) return script_.default_reply;
    Reply next = std::move(pending.front());
    pending.pop_front();
    return next;
  }
  pending.clear();
  return StartTurn(PromptText(body), pending);
}

Reply ReplyPicker::StartTurn(const std::string& prompt, std::deque<Reply>& pending) {
  auto take = [&](std::size_t i) {
    const Turn& turn = script_.turns[i];
    if (!turn.repeat) used_[i] = true;
    pending.assign(turn.replies.begin() + 1, turn.replies.end());
    return turn.replies.front();
  };
  for (std::size_t i = 0; i < script_.turns.size(); ++i) {
    const Turn& t = script_.turns[i];
    if (!used_[i] && !t.match.empty() && prompt.find(t.match) != std::string::npos) return take(i);
  }
  for (std::size_t i = 0; i < script_.turns.size(); ++i) {
    if (!used_[i] && script_.turns[i].match.empty()) return take(i);
  }
  return script_.default_reply;
}

}  // namespace hotplex::fake_anthropic
