#include "supervisor/event_size.hpp"

#include <type_traits>

namespace hotplex::supervisor {
namespace {

// {"data":{…},"seq":N,"session_id":"…","ts":"…","type":"permission_request"}
// without the session id and the data object's fields; generous.
constexpr std::size_t kEnvelopeBound = 160;
constexpr std::size_t kFieldBound = 32;  // a key, quotes, colon, comma; a number or bool
// An nlohmann::json value in memory is much larger than its text (a node per
// value, map nodes per key): counted at this multiple of its text bound.
constexpr std::size_t kJsonHeapFactor = 4;

std::size_t JsonBound(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::string:
      return EscapedSizeBound(j.get_ref<const std::string&>()) + 2;
    case nlohmann::json::value_t::object: {
      std::size_t n = 2;
      for (const auto& [key, value] : j.items()) n += EscapedSizeBound(key) + 4 + JsonBound(value);
      return n;
    }
    case nlohmann::json::value_t::array: {
      std::size_t n = 2;
      for (const auto& value : j) n += JsonBound(value) + 1;
      return n;
    }
    default:
      return kFieldBound;
  }
}

// The payload's text bound and its raw (in-memory) bytes, field by field.
struct PayloadBytes {
  std::size_t encoded = 0;
  std::size_t raw = 0;
  void Add(std::string_view s) {
    encoded += EscapedSizeBound(s) + kFieldBound;
    raw += s.size();
  }
  void AddJson(const nlohmann::json& j) {
    const std::size_t bound = JsonBound(j) + kFieldBound;
    encoded += bound;
    raw += bound * kJsonHeapFactor;
  }
  void Fields(std::size_t n) { encoded += n * kFieldBound; }
};

PayloadBytes Measure(const EventPayload& payload) {
  PayloadBytes b;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Status>) {
          b.Add(e.reason); b.Fields(1);
        } else if constexpr (std::is_same_v<T, Text>) {
          b.Add(e.text); b.Add(e.stream); b.Fields(2);
        } else if constexpr (std::is_same_v<T, Thinking>) {
          b.Add(e.text); b.Fields(1);
        } else if constexpr (std::is_same_v<T, ToolUse>) {
          b.Add(e.id); b.Add(e.name); b.AddJson(e.input);
        } else if constexpr (std::is_same_v<T, PermissionRequest>) {
          b.Add(e.request_id); b.Add(e.tool); b.AddJson(e.input); b.Add(e.rule); b.Add(e.message);
          b.Fields(1);
        } else if constexpr (std::is_same_v<T, PermissionDecision>) {
          b.Add(e.request_id); b.Add(e.tool); b.Add(e.input_summary); b.Add(e.rule);
          b.Add(e.level); b.Add(e.category); b.Add(e.message); b.Fields(2);
        } else if constexpr (std::is_same_v<T, ToolResult>) {
          b.Add(e.tool_use_id); b.Add(e.content); b.Fields(1);
        } else if constexpr (std::is_same_v<T, Usage>) {
          b.Fields(5);
        } else if constexpr (std::is_same_v<T, TurnEnd>) {
          b.Add(e.result); b.Add(e.subtype); b.Fields(3);
        } else if constexpr (std::is_same_v<T, ErrorEvent>) {
          b.Add(e.code); b.Add(e.message);
        } else if constexpr (std::is_same_v<T, Exit>) {
          b.Add(e.kind); b.Add(e.description); b.Fields(1);
        }
      },
      payload);
  return b;
}

}  // namespace

std::size_t EscapedSizeBound(std::string_view text) {
  std::size_t n = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    n += c < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : c >= 0x80 ? 3 : 1;
  }
  return n;
}

EventSize MeasureEvent(const Event& event) {
  const PayloadBytes payload = Measure(event.payload);
  EventSize size;
  size.encoded_bound = kEnvelopeBound + EscapedSizeBound(event.session_id) + payload.encoded + 1;
  size.footprint = sizeof(Event) + sizeof(EncodedEvent) + event.session_id.size() + payload.raw +
                   size.encoded_bound;
  return size;
}

}  // namespace hotplex::supervisor
