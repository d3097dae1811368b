#include "tests/fake_anthropic/reply_encoder.hpp"

namespace hotplex::fake_anthropic {
namespace {

using nlohmann::json;

constexpr const char* kSignature = "fake-signature";

json Usage(const Reply& reply, int output_tokens) {
  return {{"input_tokens", reply.input_tokens},
          {"cache_creation_input_tokens", 0},
          {"cache_read_input_tokens", 0},
          {"output_tokens", output_tokens}};
}

json MessageShell(const Reply& reply, const ReplyIds& ids) {
  return {{"id", ids.message_id},     {"type", "message"},        {"role", "assistant"},
          {"model", ids.model},       {"content", json::array()}, {"stop_reason", nullptr},
          {"stop_sequence", nullptr}, {"usage", Usage(reply, 1)}};
}

SseEvent Event(json data, int delay_ms = 0) {
  std::string name = data.at("type").get<std::string>();
  return SseEvent{std::move(name), std::move(data), delay_ms};
}

// content_block_start, one delta per piece of `payload`, (extra deltas), content_block_stop.
void AppendBlock(std::vector<SseEvent>& out, int index, json start_block,
                 const std::string& delta_type, const std::string& delta_field,
                 const std::string& payload, const Reply& reply) {
  out.push_back(Event({{"type", "content_block_start"},
                       {"index", index},
                       {"content_block", std::move(start_block)}}));
  for (const std::string& piece : SplitUtf8(payload, reply.chunk_size)) {
    out.push_back(Event({{"type", "content_block_delta"},
                         {"index", index},
                         {"delta", {{"type", delta_type}, {delta_field, piece}}}},
                        reply.delay_ms));
  }
  if (delta_type == "thinking_delta") {
    out.push_back(Event({{"type", "content_block_delta"},
                         {"index", index},
                         {"delta", {{"type", "signature_delta"}, {"signature", kSignature}}}}));
  }
  out.push_back(Event({{"type", "content_block_stop"}, {"index", index}}));
}

}  // namespace

std::vector<std::string> SplitUtf8(const std::string& text, std::size_t size) {
  std::vector<std::string> pieces;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = std::min(text.size(), begin + size);
    // Never cut inside a multi-byte character: continuation bytes are 10xxxxxx.
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    pieces.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return pieces;
}

std::vector<SseEvent> EncodeStream(const Reply& reply, const ReplyIds& ids) {
  std::vector<SseEvent> out;
  out.push_back(Event({{"type", "message_start"}, {"message", MessageShell(reply, ids)}},
                      reply.first_byte_delay_ms));
  int index = 0;
  if (!reply.thinking.empty()) {
    AppendBlock(out, index++, {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}},
                "thinking_delta", "thinking", reply.thinking, reply);
  }
  if (!reply.text.empty()) {
    AppendBlock(out, index++, {{"type", "text"}, {"text", ""}}, "text_delta", "text", reply.text,
                reply);
  }
  if (reply.tool_use) {
    json start = {{"type", "tool_use"},
                  {"id", ids.tool_use_id},
                  {"name", reply.tool_use->name},
                  {"input", json::object()}};
    AppendBlock(out, index++, std::move(start), "input_json_delta", "partial_json",
                reply.tool_use->input.dump(), reply);
  }
  out.push_back(Event({{"type", "message_delta"},
                       {"delta", {{"stop_reason", reply.StopReason()}, {"stop_sequence", nullptr}}},
                       {"usage", {{"output_tokens", reply.output_tokens}}}}));
  out.push_back(Event({{"type", "message_stop"}}));
  return out;
}

json EncodeMessage(const Reply& reply, const ReplyIds& ids) {
  json message = MessageShell(reply, ids);
  json& content = message["content"];
  if (!reply.thinking.empty()) {
    content.push_back(
        {{"type", "thinking"}, {"thinking", reply.thinking}, {"signature", kSignature}});
  }
  if (!reply.text.empty()) content.push_back({{"type", "text"}, {"text", reply.text}});
  if (reply.tool_use) {
    content.push_back({{"type", "tool_use"},
                       {"id", ids.tool_use_id},
                       {"name", reply.tool_use->name},
                       {"input", reply.tool_use->input}});
  }
  message["stop_reason"] = reply.StopReason();
  message["usage"] = Usage(reply, reply.output_tokens);
  return message;
}

std::string FormatSse(const SseEvent& event) {
  return "event: " + event.name + "\ndata: " + event.data.dump() + "\n\n";
}

}  // namespace hotplex::fake_anthropic
