// Encoding of session records and SSE frames for clients. Events themselves
// are encoded by supervisor/event_json.hpp (shared with the transcripts).
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "supervisor/event.hpp"
#include "supervisor/event_json.hpp"
#include "supervisor/session_record.hpp"

namespace hotplex::api {

using supervisor::DumpJson;
using supervisor::EventToJson;
using supervisor::EventToJsonText;
using supervisor::FormatTimestamp;

// One SSE frame: "id: 42\nevent: text\ndata: {…}\n\n" (no id line for seq 0).
std::string EventToSse(const supervisor::Event& event);
nlohmann::json SessionToJson(const supervisor::SessionRecord& record);

}  // namespace hotplex::api
