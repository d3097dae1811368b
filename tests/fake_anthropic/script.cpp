#include "tests/fake_anthropic/script.hpp"

#include <fstream>
#include <sstream>

namespace hotplex::fake_anthropic {
namespace {

using nlohmann::json;

Reply ReplyFromJson(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("a reply must be an object");
  Reply r;
  r.thinking = j.value("thinking", "");
  r.text = j.value("text", "");
  if (j.contains("tool_use")) {
    const json& t = j.at("tool_use");
    r.tool_use = ToolUse{t.value("id", ""), t.at("name").get<std::string>(),
                         t.value("input", json::object())};
  }
  r.chunk_size = j.value("chunk_size", std::size_t{16});
  if (r.chunk_size == 0) throw std::invalid_argument("chunk_size must be > 0");
  r.delay_ms = j.value("delay_ms", 0);
  r.first_byte_delay_ms = j.value("first_byte_delay_ms", 0);
  r.stop_reason = j.value("stop_reason", "");
  r.input_tokens = j.value("input_tokens", 10);
  r.output_tokens = j.value("output_tokens", 5);
  if (j.contains("error")) {
    const json& e = j.at("error");
    r.error = ApiError{e.value("status", 500), e.value("type", "api_error"),
                       e.value("message", "scripted error")};
  }
  return r;
}

Turn TurnFromJson(const json& j) {
  Turn t;
  if (!j.contains("replies")) {
    t.replies.push_back(ReplyFromJson(j));
    t.match = j.value("match", "");
    t.repeat = j.value("repeat", false);
    return t;
  }
  t.match = j.value("match", "");
  t.repeat = j.value("repeat", false);
  for (const json& r : j.at("replies")) t.replies.push_back(ReplyFromJson(r));
  if (t.replies.empty()) throw std::invalid_argument("a turn needs at least one reply");
  return t;
}

}  // namespace

std::string Reply::StopReason() const {
  if (!stop_reason.empty()) return stop_reason;
  return tool_use ? "tool_use" : "end_turn";
}

Script DefaultScript() {
  Script s;
  s.default_reply.text = "Hello from fake-anthropic.";
  return s;
}

Result<Script> ParseScript(const std::string& text) {
  Script script = DefaultScript();
  try {
    const json doc = json::parse(text);
    if (!doc.is_object()) return MakeError("script: the document must be a JSON object");
    if (doc.contains("turns")) {
      std::size_t i = 0;
      for (const json& t : doc.at("turns")) {
        try {
          script.turns.push_back(TurnFromJson(t));
        } catch (const std::exception& e) {
          return MakeError("script: turns[" + std::to_string(i) + "]: " + e.what());
        }
        ++i;
      }
    }
    if (doc.contains("default_reply")) script.default_reply = ReplyFromJson(doc["default_reply"]);
  } catch (const std::exception& e) {
    return MakeError(std::string("script: ") + e.what());
  }
  return script;
}

Result<Script> LoadScript(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError("script: cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScript(text.str());
}

}  // namespace hotplex::fake_anthropic
