#include "supervisor/event.hpp"

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

}  // namespace

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
