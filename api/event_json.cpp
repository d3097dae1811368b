#include "api/event_json.hpp"

#include "sandbox/outcome.hpp"

namespace hotplex::api {
namespace sv = supervisor;
using nlohmann::json;

namespace {

// The `data` object of each event type (api/PROTOCOL.md).
struct DataEncoder {
  json operator()(const sv::Status& e) const {
    return {{"state", sv::SessionStateName(e.state)}, {"reason", e.reason}};
  }
  json operator()(const sv::Text& e) const {
    json j = {{"text", e.text}, {"delta", e.delta}};
    if (e.truncated) j["truncated"] = true;
    if (!e.stream.empty()) j["stream"] = e.stream;
    return j;
  }
  json operator()(const sv::Thinking& e) const { return {{"text", e.text}, {"delta", e.delta}}; }
  json operator()(const sv::ToolUse& e) const {
    return {{"id", e.id}, {"name", e.name}, {"input", e.input}};
  }
  json operator()(const sv::PermissionRequest& e) const {
    return {{"request_id", e.request_id}, {"tool", e.tool},
            {"input", e.input},           {"rule", e.rule},
            {"message", e.message},       {"timeout_ms", e.timeout_ms}};
  }
  json operator()(const sv::PermissionDecision& e) const {
    return {{"request_id", e.request_id},
            {"tool", e.tool},
            {"input_summary", e.input_summary},
            {"decision", e.allowed ? "allow" : "deny"},
            {"rule", e.rule},
            {"level", e.level},
            {"category", e.category},
            {"message", e.message},
            {"source", sv::DecisionSourceName(e.source)}};
  }
  json operator()(const sv::ToolResult& e) const {
    return {{"tool_use_id", e.tool_use_id}, {"content", e.content}, {"is_error", e.is_error}};
  }
  json operator()(const sv::Usage& e) const {
    return {{"input_tokens", e.input_tokens},
            {"output_tokens", e.output_tokens},
            {"cache_read_tokens", e.cache_read_tokens},
            {"cache_creation_tokens", e.cache_creation_tokens},
            {"cost_usd", e.cost_usd}};
  }
  json operator()(const sv::TurnEnd& e) const {
    return {{"turn", e.turn},
            {"result", e.result},
            {"is_error", e.is_error},
            {"subtype", e.subtype},
            {"duration_ms", e.duration_ms}};
  }
  json operator()(const sv::ErrorEvent& e) const {
    return {{"code", sv::ErrorCodeName(e.code)}, {"message", e.message}};
  }
  json operator()(const sv::Exit& e) const {
    return {{"outcome", sandbox::OutcomeKindName(e.kind)},
            {"code", e.code},
            {"description", e.description}};
  }
};

}  // namespace

json EventToJson(const sv::Event& event) {
  return {{"seq", event.seq},
          {"session_id", event.session_id},
          {"type", sv::EventTypeName(event.payload)},
          {"ts", FormatTimestamp(event.ts)},
          {"data", std::visit(DataEncoder{}, event.payload)}};
}

std::shared_ptr<const std::string> EventToJsonText(const sv::Event& event) {
  auto encode = [&] { return std::make_shared<const std::string>(DumpJson(EventToJson(event))); };
  if (!event.encoded) return encode();
  std::call_once(event.encoded->once, [&] { event.encoded->text = encode(); });
  return event.encoded->text;
}

std::string SseFrameHead(const sv::Event& event) {
  std::string head;
  if (event.seq != 0) head += "id: " + std::to_string(event.seq) + "\n";
  head += "event: ";
  head += sv::EventTypeName(event.payload);
  head += "\ndata: ";
  return head;
}

void AppendSseFrame(std::string& out, const sv::Event& event) {
  out += SseFrameHead(event);
  out += *EventToJsonText(event);
  out += kSseFrameEnd;
}

json SessionToJson(const sv::SessionRecord& r) {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  json j = {
      {"id", r.id},
      {"provider", sv::ProviderKindName(r.provider)},
      {"state", sv::SessionStateName(r.state)},
      {"state_reason", r.state_reason},
      {"policy", r.policy},
      {"workdir", r.workdir},
      {"created_at", FormatTimestamp(system_clock::time_point(milliseconds(r.created_ms)))},
      {"last_active_at", FormatTimestamp(system_clock::time_point(milliseconds(r.last_active_ms)))},
      {"turns", r.turns},
      {"last_seq", r.last_seq},
      {"usage",
       {{"input_tokens", r.input_tokens},
        {"output_tokens", r.output_tokens},
        {"cache_read_tokens", r.cache_read_tokens},
        {"cache_creation_tokens", r.cache_creation_tokens},
        {"cost_usd", r.cost_usd}}},
  };
  if (!r.key.empty()) j["key"] = r.key;
  if (!r.argv.empty()) j["argv"] = r.argv;
  return j;
}

}  // namespace hotplex::api
