// Encoding of supervisor events as JSON: the one encoder of the event shape
// documented in api/PROTOCOL.md, used by api/ for clients (SSE, WebSocket,
// REST) and by the TranscriptStore for the transcripts on disk.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "supervisor/event.hpp"

namespace hotplex::supervisor {

// {"seq":42,"session_id":"…","type":"text","ts":"2026-11-22T01:51:11.957Z","data":{…}}
nlohmann::json EventToJson(const Event& event);
// The same, serialized (invalid UTF-8 from an agent is replaced, never fatal).
std::string EventToJsonText(const Event& event);

}  // namespace hotplex::supervisor
