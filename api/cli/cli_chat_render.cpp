#include "api/cli/cli_chat_render.hpp"

#include <cstdio>

namespace hotplex::cli {
namespace {

using nlohmann::json;

// One item line (a tool call, a decision) is cut here: enough to recognise a
// command, short enough to stay one line on a terminal.
constexpr std::size_t kMaxItemBytes = 200;

// The length (1-4) of the well-formed UTF-8 sequence at s[i] and its code
// point; 0 for a byte that does not start one (RFC 3629 table 3-7: no
// overlongs, no surrogates, nothing above U+10FFFF).
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) return cp = lead, 1;
  std::size_t len = lead >= 0xC2 && lead <= 0xDF   ? 2
                    : lead >= 0xE0 && lead <= 0xEF ? 3
                    : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                   : 0;
  if (len == 0 || i + len > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (lead == 0xE0) lo = 0xA0;
  if (lead == 0xED) hi = 0x9F;
  if (lead == 0xF0) lo = 0x90;
  if (lead == 0xF4) hi = 0x8F;
  if (b(1) < lo || b(1) > hi) return 0;
  cp = lead & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  return len;
}

// Bidi embedding/override/isolate controls and marks: they reorder what the
// user reads (the "Trojan Source" trick) without being visible.
bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

void AppendEscape(std::string& out, const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

// Cuts at most `max_bytes`, never inside a UTF-8 sequence.
std::string Cut(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

const json& Field(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string Str(const json& object, const char* key) {
  const json& v = Field(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::int64_t Int(const json& object, const char* key) {
  const json& v = Field(object, key);
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

// A terminal-safe single line of at most kMaxItemBytes.
std::string Safe(const std::string& text) { return TerminalSafe(Cut(text, kMaxItemBytes), false); }

}  // namespace

std::string TerminalSafe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = DecodeUtf8(text, i, cp);
    if (len == 0) {
      AppendEscape(out, "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const bool newline_kept = cp == '\n' && keep_newlines;
    if ((cp < 0x20 && cp != '\t' && !newline_kept) || cp == 0x7F) {
      AppendEscape(out, "\\x%02x", static_cast<unsigned>(cp));
    } else if ((cp >= 0x80 && cp <= 0x9F) || IsBidiControl(cp)) {
      AppendEscape(out, "\\u%04x", static_cast<unsigned>(cp));
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string ToolSummary(const std::string& tool, const json& input, std::size_t max_bytes) {
  std::string detail;
  for (const char* key : {"command", "file_path", "notebook_path", "path", "pattern", "url",
                          "query", "description"}) {
    detail = Str(input, key);
    if (!detail.empty()) break;
  }
  if (detail.empty() && !input.is_null()) {
    detail = input.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  std::string line = tool.empty() ? std::string("(unnamed tool)") : tool;
  if (!detail.empty()) line += ": " + detail;
  // Escaped before the cut: the cut then counts what the terminal shows.
  return Cut(TerminalSafe(line, false), max_bytes);
}

std::string ChatRenderer::Render(const json& event) {
  const std::string type = Str(event, "type");
  const json& data = Field(event, "data");
  if (type == "text") return Text(data);
  if (type == "tool_use") {
    return Line("[tool] " + ToolSummary(Str(data, "name"), Field(data, "input"), kMaxItemBytes));
  }
  if (type == "permission_request") return Ask(data);
  if (type == "permission_decision") return Decision(data);
  if (type == "tool_result") {
    const json& failed = Field(data, "is_error");
    if (!failed.is_boolean() || !failed.get<bool>()) return {};
    const std::string content = Str(data, "content");
    return Line("[tool error] " + Safe(content.substr(0, content.find('\n'))));
  }
  if (type == "usage") {
    last_usage_ = data;
    return {};
  }
  if (type == "turn_end") return TurnEnd(data);
  if (type == "status") return Status(data);
  if (type == "error") {
    // The stream reconnects by itself after a slow_consumer cut.
    if (Str(data, "code") == "slow_consumer") return {};
    return Line("[error " + Safe(Str(data, "code")) + "] " + Safe(Str(data, "message")));
  }
  if (type == "exit") return Line("[agent exited: " + Safe(Str(data, "description")) + "]");
  return {};
}

std::string ChatRenderer::Line(std::string line) {
  std::string out = at_line_start_ ? std::string() : std::string("\n");
  at_line_start_ = true;
  return out + line + "\n";
}

std::string ChatRenderer::Text(const json& data) {
  std::string text = Str(data, "text");
  const std::string stream = Str(data, "stream");
  if (stream == "stderr") return Line("[stderr] " + TerminalSafe(text, false));
  const json& delta = Field(data, "delta");
  const bool whole = !stream.empty() || (delta.is_boolean() && !delta.get<bool>());
  std::string out = TerminalSafe(text, true);
  if (whole && (out.empty() || out.back() != '\n')) out += '\n';
  if (!out.empty()) at_line_start_ = out.back() == '\n';
  return out;
}

std::string ChatRenderer::Ask(const json& data) {
  std::string line = "[ask] " + ToolSummary(Str(data, "tool"), Field(data, "input"), kMaxItemBytes);
  const std::string rule = Str(data, "rule");
  const std::string message = Str(data, "message");
  if (!rule.empty() || !message.empty())
    line += " (" + Safe(rule) + (message.empty() ? "" : ": ") + Safe(message) + ")";
  std::string out = Line(line) + "allow? [y/N] ";
  at_line_start_ = false;
  return out;
}

std::string ChatRenderer::Decision(const json& data) {
  std::string line = "[" + Safe(Str(data, "decision")) + "] " + Safe(Str(data, "tool"));
  const std::string rule = Str(data, "rule");
  const std::string message = Str(data, "message");
  if (!rule.empty()) line += " rule " + Safe(rule);
  if (!message.empty()) line += ": " + Safe(message);
  return Line(line + " (" + Safe(Str(data, "source")) + ")");
}

std::string ChatRenderer::TurnEnd(const json& data) {
  const json& failed = Field(data, "is_error");
  std::string line = "[turn " + std::to_string(Int(data, "turn"));
  if (failed.is_boolean() && failed.get<bool>()) {
    const std::string result = Str(data, "result");
    line +=
        " ended: " + Safe(Str(data, "subtype")) + " " + Safe(result.substr(0, result.find('\n')));
  } else {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f s",
                  static_cast<double>(Int(data, "duration_ms")) / 1000);
    line += " done, " + std::string(seconds);
  }
  if (last_usage_.is_object()) {
    line += ", " + std::to_string(Int(last_usage_, "input_tokens")) + " in / " +
            std::to_string(Int(last_usage_, "output_tokens")) + " out tokens";
    last_usage_ = nullptr;
  }
  return Line(line + "]");
}

std::string ChatRenderer::Status(const json& data) {
  const std::string state = Str(data, "state");
  const std::string reason = Safe(Str(data, "reason"));
  if (state == "starting") return Line("[agent starting: " + reason + "]");
  if (state == "stopped") return Line("[agent stopped: " + reason + "]");
  if (state == "dead") return Line("[session ended: " + reason + "]");
  return {};
}

}  // namespace hotplex::cli
