// Builders and matchers for Claude Code's stream-json lines (docs/claude-code-protocol.md),
// shared by the tests that drive the real CLI and the fake agent. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hotplex::testing {

// {"type":"user","message":{"role":"user","content":TEXT}}
nlohmann::json UserPrompt(const std::string& text);
// {"type":"control_request","request_id":ID,"request":{"subtype":SUBTYPE}}
nlohmann::json ControlRequest(const std::string& id, const std::string& subtype);
// A success control_response to `request` (a control_request line) carrying `response`.
nlohmann::json ControlAnswer(const nlohmann::json& request, nlohmann::json response);

// "type" of a line, plus "/subtype" or "/event.type" when present: "system/init",
// "stream_event/content_block_delta", "result/success", "control_request".
std::string LineKind(const nlohmann::json& line);
bool IsKind(const nlohmann::json& line, const std::string& kind);
bool IsResult(const nlohmann::json& line);
// The concatenated text_delta texts of the lines.
std::string TextDeltas(const std::vector<nlohmann::json>& lines);
// The kinds of the lines with runs of the same kind collapsed to one entry, so streams
// that chunk text differently compare equal.
std::vector<std::string> CollapsedKinds(const std::vector<nlohmann::json>& lines);

}  // namespace hotplex::testing
