// Turns a scripted Reply into what the Messages API would send: a list of SSE events
// (message_start, content_block_start/delta/stop per block, message_delta, message_stop)
// for `stream: true`, or one message object otherwise. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fake_anthropic/script.hpp"

namespace hotplex::fake_anthropic {

struct SseEvent {
  std::string name;     // the `event:` field, equal to data["type"]
  nlohmann::json data;  // the `data:` field
  int delay_ms = 0;     // pause before sending this event
};

struct ReplyIds {
  std::string model;
  std::string message_id;
  std::string tool_use_id;
};

std::vector<SseEvent> EncodeStream(const Reply& reply, const ReplyIds& ids);
nlohmann::json EncodeMessage(const Reply& reply, const ReplyIds& ids);
// "event: NAME\ndata: JSON\n\n"
std::string FormatSse(const SseEvent& event);
// Splits on UTF-8 character boundaries into pieces of at most `size` bytes (a piece is
// longer only when one character is).
std::vector<std::string> SplitUtf8(const std::string& text, std::size_t size);

}  // namespace hotplex::fake_anthropic
