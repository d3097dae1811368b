#include "tests/fake_agent/protocol_writer.hpp"

#include <cstdio>
#include <cstdlib>

#include "tests/fake_agent/line_io.hpp"

namespace hotplex::fake_agent {

using nlohmann::json;

ProtocolWriter::ProtocolWriter(int fd, std::string session_id)
    : fd_(fd), session_id_(std::move(session_id)), rng_(std::random_device{}()) {}

std::string ProtocolWriter::NewUuid() {
  const std::uint64_t hi = rng_(), lo = rng_();
  char text[37];
  (void)std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx",
                      static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                      static_cast<unsigned>(hi & 0xfff),
                      static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                      static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

void ProtocolWriter::Emit(const json& line) {
  // The reader is gone: nothing left to talk to, and no one to report to.
  if (!WriteLine(fd_, line.dump())) std::_Exit(141);
}

void ProtocolWriter::EmitSessionLine(json line) {
  line["session_id"] = session_id_;
  line["uuid"] = NewUuid();
  Emit(line);
}

void ProtocolWriter::Init(const std::string& cwd, const std::string& model) {
  EmitSessionLine({{"type", "system"},
                   {"subtype", "init"},
                   {"cwd", cwd},
                   {"tools", {"Bash", "Edit", "Read", "Write"}},
                   {"mcp_servers", json::array()},
                   {"model", model},
                   {"permissionMode", "default"},
                   {"apiKeySource", "none"},
                   {"claude_code_version", "fake-agent"}});
}

void ProtocolWriter::Status(const std::string& status) {
  EmitSessionLine({{"type", "system"}, {"subtype", "status"}, {"status", status}});
}

void ProtocolWriter::ThinkingTokens(int estimated, int delta) {
  EmitSessionLine({{"type", "system"},
                   {"subtype", "thinking_tokens"},
                   {"estimated_tokens", estimated},
                   {"estimated_tokens_delta", delta}});
}

void ProtocolWriter::StreamEvent(json event, const std::string& message_id) {
  EmitSessionLine({{"type", "stream_event"},
                   {"event", std::move(event)},
                   {"parent_tool_use_id", nullptr},
                   {"api_message_id", message_id}});
}

void ProtocolWriter::FastTextDelta(int index, const std::string& text,
                                   const std::string& message_id) {
  std::string escaped;
  escaped.reserve(text.size() + 4);
  for (char c : text) {
    if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  std::string line = R"({"type":"stream_event","event":{"type":"content_block_delta","index":)" +
                     std::to_string(index) + R"(,"delta":{"type":"text_delta","text":")" + escaped +
                     R"("}},"session_id":")" + session_id_ +
                     R"(","parent_tool_use_id":null,"uuid":")" + NewUuid() +
                     R"(","api_message_id":")" + message_id + R"("})";
  if (!WriteLine(fd_, line)) std::_Exit(141);
}

void ProtocolWriter::Assistant(const std::string& message_id, const std::string& model,
                               json block) {
  EmitSessionLine({{"type", "assistant"},
                   {"message",
                    {{"id", message_id},
                     {"type", "message"},
                     {"role", "assistant"},
                     {"model", model},
                     {"content", json::array({std::move(block)})},
                     {"stop_reason", nullptr},
                     {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}}},
                   {"parent_tool_use_id", nullptr}});
}

void ProtocolWriter::UserContent(json content) {
  EmitSessionLine({{"type", "user"},
                   {"message", {{"role", "user"}, {"content", std::move(content)}}},
                   {"parent_tool_use_id", nullptr}});
}

void ProtocolWriter::Result(json fields) {
  fields["type"] = "result";
  EmitSessionLine(std::move(fields));
}

void ProtocolWriter::ControlRequest(const std::string& request_id, json request) {
  Emit({{"type", "control_request"}, {"request_id", request_id}, {"request", std::move(request)}});
}

void ProtocolWriter::ControlSuccess(const std::string& request_id, json response) {
  Emit({{"type", "control_response"},
        {"response",
         {{"subtype", "success"}, {"request_id", request_id}, {"response", std::move(response)}}}});
}

void ProtocolWriter::ControlError(const std::string& request_id, const std::string& error) {
  Emit({{"type", "control_response"},
        {"response", {{"subtype", "error"}, {"request_id", request_id}, {"error", error}}}});
}

void ProtocolWriter::ControlCancel(const std::string& request_id) {
  Emit({{"type", "control_cancel_request"}, {"request_id", request_id}});
}

}  // namespace hotplex::fake_agent
