// The wire format of events and session records: the one encoder of the event
// shape documented in api/PROTOCOL.md, used for clients (SSE, WebSocket, REST)
// and, injected by the Daemon, for the transcripts on disk (the supervisor
// keeps events typed and knows no JSON shape of them).
// Thread-safety: pure functions; EventToJsonText fills the event's shared
// cache once (std::call_once).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "supervisor/event.hpp"
#include "supervisor/session_record.hpp"

namespace hotplex::api {

// {"data":{…},"seq":42,"session_id":"…","ts":"2026-11-22T01:51:11.957Z","type":"text"}
nlohmann::json EventToJson(const supervisor::Event& event);
// The same, serialized (invalid UTF-8 from an agent is replaced, never fatal).
// A published event is encoded once, by its first reader, and every reader
// (subscribers, the transcript writer) shares that one buffer; an event
// without a cache slot (Event::encoded null) is encoded on each call.
std::shared_ptr<const std::string> EventToJsonText(const supervisor::Event& event);
// What precedes the JSON in an SSE frame: "id: 42\nevent: text\ndata: " (no id
// line for seq 0). The frame is head + EventToJsonText + kSseFrameEnd.
std::string SseFrameHead(const supervisor::Event& event);
inline constexpr std::string_view kSseFrameEnd = "\n\n";
// Appends one whole SSE frame to `out`.
void AppendSseFrame(std::string& out, const supervisor::Event& event);
nlohmann::json SessionToJson(const supervisor::SessionRecord& record);

}  // namespace hotplex::api
