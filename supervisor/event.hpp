// Event: one entry of a session's event log, as a typed value.
//
// The supervisor never builds JSON for clients: providers turn agent output into
// these structs, and api/ encodes them (see api/PROTOCOL.md). Tool inputs stay
// structured (nlohmann::json values), never pre-encoded strings.
// Thread-safety: plain values; a published Event is shared read-only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "sandbox/outcome.hpp"
#include "supervisor/session_state.hpp"

namespace hotplex::supervisor {

// The session changed state (starting, ready, busy, stopped, dead).
struct Status {
  SessionState state = SessionState::kStarting;
  std::string reason;  // why, for people ("idle timeout", "deleted", ...)
};

// Assistant text. `delta` = a streamed fragment; otherwise a whole block.
struct Text {
  std::string text;
  bool delta = true;
  bool truncated = false;  // the source line exceeded the line limit and was cut
  std::string stream;      // exec provider: "stdout" or "stderr"; empty for agents
};

struct Thinking {
  std::string text;
  bool delta = true;
};

struct ToolUse {
  std::string id;
  std::string name;
  nlohmann::json input;
};

// The policy said `ask`: a client must answer (or the ask timeout denies).
struct PermissionRequest {
  std::string request_id;
  std::string tool;
  nlohmann::json input;
  std::string rule;
  std::string message;
  std::int64_t timeout_ms = 0;
};

// Who decided: the policy, a client's answer to an ask, the ask timeout, the
// agent withdrawing its request (interrupt), or the agent ending.
enum class DecisionSource { kPolicy, kClient, kTimeout, kCancelled, kShutdown };

struct PermissionDecision {
  std::string request_id;
  std::string tool;
  std::string input_summary;  // e.g. the Bash command or the file path
  bool allowed = false;
  std::string rule;
  std::string level;
  std::string category;
  std::string message;
  DecisionSource source = DecisionSource::kPolicy;
};

struct ToolResult {
  std::string tool_use_id;
  std::string content;
  bool is_error = false;
};

struct Usage {
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t cache_read_tokens = 0;
  std::uint64_t cache_creation_tokens = 0;
  double cost_usd = 0;
};

struct TurnEnd {
  std::uint64_t turn = 0;
  std::string result;
  bool is_error = false;
  std::string subtype;  // e.g. "success", "error_during_execution", "interrupted"
  std::int64_t duration_ms = 0;
};

// The machine-readable `code` of an `error` event; its wire name is
// ErrorCodeName() ("agent_crashed", "slow_consumer", ...; api/PROTOCOL.md).
enum class ErrorCode {
  kLaunchFailed,               // the sandbox or the agent could not be started
  kAgentCrashed,               // the agent ended in the middle of a turn
  kAgentExited,                // the agent ended between turns
  kStdinClosed,                // the agent's input is closed or full
  kLineTruncated,              // an agent output line was cut at the line limit
  kUnparsedOutput,             // the agent wrote a line that is not JSON
  kAgentStderr,                // a line the agent wrote to stderr
  kUnsupportedControlRequest,  // the agent asked for a control request we do not serve
  kAgentControlError,          // the agent answered a control request with an error
  kSessionDeleted,             // final event of every subscriber of a deleted session
  kShuttingDown,               // final event of every subscriber when the daemon stops
  kSlowConsumer,               // final event of a subscriber that fell behind its bound
  kEventsLost,                 // a replay asked for events no longer in the ring
  kTranscriptQuota,            // the session's or tenant's transcript quota was reached
  kTranscriptLost,             // transcript-only marker: events were not persisted
};
inline constexpr std::size_t kErrorCodeCount = 15;

struct ErrorEvent {
  ErrorCode code = ErrorCode::kLaunchFailed;
  std::string message;
};

// How the sandbox ended; its wire name is sandbox::OutcomeKindName().
struct Exit {
  sandbox::OutcomeKind kind = sandbox::OutcomeKind::kExited;
  int code = 0;
  std::string description;
};

using EventPayload = std::variant<Status, Text, Thinking, ToolUse, PermissionRequest,
                                  PermissionDecision, ToolResult, Usage, TurnEnd, ErrorEvent, Exit>;

// The lazily encoded JSON text of one Event: api/ encodes it (api/event_json.hpp)
// once and every reader shares the one buffer.
struct EncodedEvent {
  std::once_flag once;
  std::shared_ptr<const std::string> text;
};

struct Event {
  // 1-based per session; 0 for connection-level events that are not in the log
  // (e.g. the final `slow_consumer` error of a disconnected subscriber).
  std::uint64_t seq = 0;
  std::string session_id;
  std::chrono::system_clock::time_point ts;
  EventPayload payload;
  // Its JSON text, encoded once by whichever reader needs it first (a
  // subscriber's connection or the transcript writer, not the agent's reader,
  // which stays short) and then shared. Set by EventLog; null = encoded on
  // every call.
  std::shared_ptr<EncodedEvent> encoded;
};

using EventPtr = std::shared_ptr<const Event>;

// "status", "text", "thinking", "tool_use", "permission_request", ...
const char* EventTypeName(const EventPayload& payload);
const char* DecisionSourceName(DecisionSource source);
// The wire name of `code`, and back (nullopt for a name no code has).
const char* ErrorCodeName(ErrorCode code);
std::optional<ErrorCode> ParseErrorCode(std::string_view name);

}  // namespace hotplex::supervisor
