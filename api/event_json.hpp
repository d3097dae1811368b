// Encoding of supervisor events and session records for clients: the one
// place where typed events become JSON (shape documented in api/PROTOCOL.md).
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "supervisor/event.hpp"
#include "supervisor/session_record.hpp"

namespace hotplex::api {

// {"seq":42,"session_id":"…","type":"text","ts":"2026-11-22T01:51:11.957Z","data":{…}}
nlohmann::json EventToJson(const supervisor::Event& event);
// The same, serialized (invalid UTF-8 from an agent is replaced, never fatal).
std::string EventToJsonText(const supervisor::Event& event);
// One SSE frame: "id: 42\nevent: text\ndata: {…}\n\n" (no id line for seq 0).
std::string EventToSse(const supervisor::Event& event);
nlohmann::json SessionToJson(const supervisor::SessionRecord& record);
// RFC 3339 UTC with milliseconds.
std::string FormatTimestamp(std::chrono::system_clock::time_point tp);
std::string DumpJson(const nlohmann::json& j);

}  // namespace hotplex::api
