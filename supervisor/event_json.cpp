#include "supervisor/event_json.hpp"


namespace hotplex::supervisor {
using nlohmann::json;

namespace {

struct DataEncoder {
  json operator()(const Status& e) const {
    return {{"state", SessionStateName(e.state)}, {"reason", e.reason}};
  }
  json operator()(const Text& e) const {
    json j = {{"text", e.text}, {"delta", e.delta}};
    if (e.truncated) j["truncated"] = true;
    if (!e.stream.empty()) j["stream"] = e.stream;
    return j;
  }
  json operator()(const Thinking& e) const { return {{"text", e.text}, {"delta", e.delta}}; }
  json operator()(const ToolUse& e) const {
    return {{"id", e.id}, {"name", e.name}, {"input", e.input}};
  }
  json operator()(const PermissionRequest& e) const {
    return {{"request_id", e.request_id}, {"tool", e.tool},       {"input", e.input},
            {"rule", e.rule},             {"message", e.message}, {"timeout_ms", e.timeout_ms}};
  }
  json operator()(const PermissionDecision& e) const {
    return {{"request_id", e.request_id},
            {"tool", e.tool},
            {"input_summary", e.input_summary},
            {"decision", e.allowed ? "allow" : "deny"},
            {"rule", e.rule},
            {"level", e.level},
            {"category", e.category},
            {"message", e.message},
            {"source", DecisionSourceName(e.source)}};
  }
  json operator()(const ToolResult& e) const {
    return {{"tool_use_id", e.tool_use_id}, {"content", e.content}, {"is_error", e.is_error}};
  }
  json operator()(const Usage& e) const {
    return {{"input_tokens", e.input_tokens},
            {"output_tokens", e.output_tokens},
            {"cache_read_tokens", e.cache_read_tokens},
            {"cache_creation_tokens", e.cache_creation_tokens},
            {"cost_usd", e.cost_usd}};
  }
  json operator()(const TurnEnd& e) const {
    return {{"turn", e.turn},       {"result", e.result},           {"is_error", e.is_error},
            {"subtype", e.subtype}, {"duration_ms", e.duration_ms}};
  }
  json operator()(const ErrorEvent& e) const {
    return {{"code", e.code}, {"message", e.message}};
  }
  json operator()(const Exit& e) const {
    return {{"outcome", e.kind}, {"code", e.code}, {"description", e.description}};
  }
};

}  // namespace

json EventToJson(const Event& event) {
  return {{"seq", event.seq},
          {"session_id", event.session_id},
          {"type", EventTypeName(event.payload)},
          {"ts", FormatTimestamp(event.ts)},
          {"data", std::visit(DataEncoder{}, event.payload)}};
}

std::string EventToJsonText(const Event& event) {
  if (!event.encoded) return DumpJson(EventToJson(event));
  std::call_once(event.encoded->once,
                 [&] { event.encoded->text = DumpJson(EventToJson(event)); });
  return event.encoded->text;
}

}  // namespace hotplex::supervisor
