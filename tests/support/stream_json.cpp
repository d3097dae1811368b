#include "tests/support/stream_json.hpp"

namespace hotplex::testing {

using nlohmann::json;

json UserPrompt(const std::string& text) {
  return {{"type", "user"}, {"message", {{"role", "user"}, {"content", text}}}};
}

json ControlRequest(const std::string& id, const std::string& subtype) {
  return {{"type", "control_request"}, {"request_id", id}, {"request", {{"subtype", subtype}}}};
}

json ControlAnswer(const json& request, json response) {
  return {{"type", "control_response"},
          {"response",
           {{"subtype", "success"},
            {"request_id", request.value("request_id", "")},
            {"response", std::move(response)}}}};
}

std::string LineKind(const json& line) {
  if (!line.is_object()) return "?";
  std::string kind = line.value("type", "?");
  if (line.contains("subtype") && line["subtype"].is_string()) {
    kind += "/" + line["subtype"].get<std::string>();
  } else if (line.contains("event") && line["event"].is_object()) {
    kind += "/" + line["event"].value("type", "?");
  }
  return kind;
}

bool IsKind(const json& line, const std::string& kind) { return LineKind(line) == kind; }

bool IsResult(const json& line) { return line.is_object() && line.value("type", "") == "result"; }

std::string TextDeltas(const std::vector<json>& lines) {
  std::string text;
  for (const json& l : lines) {
    if (IsKind(l, "stream_event/content_block_delta")) {
      text += l["event"]["delta"].value("text", "");
    }
  }
  return text;
}

std::vector<std::string> CollapsedKinds(const std::vector<json>& lines) {
  std::vector<std::string> kinds;
  for (const json& l : lines) {
    std::string kind = LineKind(l);
    if (kinds.empty() || kinds.back() != kind) kinds.push_back(std::move(kind));
  }
  return kinds;
}

}  // namespace hotplex::testing
