#include "supervisor/event_size.hpp"

#include <initializer_list>
#include <string>

namespace hotplex::supervisor {
namespace {

// {"data":{…},"seq":N,"session_id":"…","ts":"…","type":"permission_request"}
// without the session id and the data object's fields; generous.
constexpr std::size_t kEnvelopeBound = 160;
constexpr std::size_t kFieldBound = 32;  // a key, quotes, colon, comma; a number or bool
// An nlohmann::json value in memory is much larger than its text (a node per
// value, map nodes per key): counted at this multiple of its text bound.
constexpr std::size_t kJsonHeapFactor = 4;
// The encoded text's own allocation (std::make_shared<const std::string>): its
// control block and string object, besides the characters.
constexpr std::size_t kSharedTextOverhead = sizeof(std::string) + 2 * sizeof(void*);

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
    default: return kFieldBound;
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
  // A field whose value is a fixed wire name (an enum's): no heap of its own.
  void Name(std::string_view name) { encoded += name.size() + 2 + kFieldBound; }
};

// One overload per payload type: its text fields and its fixed fields.
struct PayloadMeter {
  PayloadBytes& b;
  void operator()(const Status& e) const { Strings({&e.reason}, 1); }
  void operator()(const Text& e) const { Strings({&e.text, &e.stream}, 2); }
  void operator()(const Thinking& e) const { Strings({&e.text}, 1); }
  void operator()(const ToolUse& e) const {
    Strings({&e.id, &e.name}, 0);
    b.AddJson(e.input);
  }
  void operator()(const PermissionRequest& e) const {
    Strings({&e.request_id, &e.tool, &e.rule, &e.message}, 1);
    b.AddJson(e.input);
  }
  void operator()(const PermissionDecision& e) const {
    Strings({&e.request_id, &e.tool, &e.input_summary, &e.rule, &e.level, &e.category, &e.message},
            2);
  }
  void operator()(const ToolResult& e) const { Strings({&e.tool_use_id, &e.content}, 1); }
  void operator()(const Usage&) const { b.Fields(5); }
  void operator()(const TurnEnd& e) const { Strings({&e.result, &e.subtype}, 3); }
  void operator()(const ErrorEvent& e) const {
    b.Name(ErrorCodeName(e.code));
    Strings({&e.message}, 0);
  }
  void operator()(const Exit& e) const {
    b.Name(sandbox::OutcomeKindName(e.kind));
    Strings({&e.description}, 1);
  }

  void Strings(std::initializer_list<const std::string*> strings, std::size_t fields) const {
    for (const std::string* s : strings) b.Add(*s);
    b.Fields(fields);
  }
};

PayloadBytes Measure(const EventPayload& payload) {
  PayloadBytes b;
  std::visit(PayloadMeter{b}, payload);
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
  size.footprint = sizeof(Event) + sizeof(EncodedEvent) + kSharedTextOverhead +
                   event.session_id.size() + payload.raw + size.encoded_bound;
  return size;
}

}  // namespace hotplex::supervisor
