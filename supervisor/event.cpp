#include "supervisor/event.hpp"

#include <array>

namespace hotplex::supervisor {
namespace {

struct TypeName {
  const char* operator()(const Status&) const { return "status"; }
  const char* operator()(const Text&) const { return "text"; }
  const char* operator()(const Thinking&) const { return "thinking"; }
  const char* operator()(const ToolUse&) const { return "tool_use"; }
  const char* operator()(const PermissionRequest&) const { return "permission_request"; }
  const char* operator()(const PermissionDecision&) const { return "permission_decision"; }
  const char* operator()(const ToolResult&) const { return "tool_result"; }
  const char* operator()(const Usage&) const { return "usage"; }
  const char* operator()(const TurnEnd&) const { return "turn_end"; }
  const char* operator()(const ErrorEvent&) const { return "error"; }
  const char* operator()(const Exit&) const { return "exit"; }
};

// The one name table of ErrorCode, indexed by the enum's value.
constexpr std::array<const char*, kErrorCodeCount> kErrorCodeNames = {
    "launch_failed",       "agent_crashed",    "agent_exited",    "stdin_closed",
    "line_truncated",      "unparsed_output",  "agent_stderr",    "unsupported_control_request",
    "agent_control_error", "session_deleted",  "shutting_down",   "slow_consumer",
    "events_lost",         "transcript_quota", "transcript_lost",
};
static_assert(static_cast<std::size_t>(ErrorCode::kTranscriptLost) + 1 == kErrorCodeCount,
              "kErrorCodeCount and kErrorCodeNames must list every ErrorCode");

}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  const auto i = static_cast<std::size_t>(code);
  return i < kErrorCodeNames.size() ? kErrorCodeNames[i] : "unknown";
}

std::optional<ErrorCode> ParseErrorCode(std::string_view name) {
  for (std::size_t i = 0; i < kErrorCodeNames.size(); ++i) {
    if (name == kErrorCodeNames[i]) return static_cast<ErrorCode>(i);
  }
  return std::nullopt;
}

const char* EventTypeName(const EventPayload& payload) { return std::visit(TypeName{}, payload); }

const char* DecisionSourceName(DecisionSource source) {
  switch (source) {
    case DecisionSource::kPolicy: return "policy";
    case DecisionSource::kClient: return "client";
    case DecisionSource::kTimeout: return "timeout";
    case DecisionSource::kCancelled: return "cancelled";
    case DecisionSource::kShutdown: return "shutdown";
  }
  return "unknown";
}

const char* SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kStarting: return "starting";
    case SessionState::kReady: return "ready";
    case SessionState::kBusy: return "busy";
    case SessionState::kStopped: return "stopped";
    case SessionState::kDead: return "dead";
  }
  return "unknown";
}

std::optional<SessionState> ParseSessionState(std::string_view name) {
  for (auto s : {SessionState::kStarting, SessionState::kReady, SessionState::kBusy,
                 SessionState::kStopped, SessionState::kDead}) {
    if (name == SessionStateName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace hotplex::supervisor
