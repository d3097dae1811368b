#include "supervisor/session_audit_observer.hpp"

namespace hotplex::supervisor {

void SessionAuditObserver::OnEvent(const SessionKey& session, const EventPayload& payload) {
  if (const auto* ask = std::get_if<PermissionRequest>(&payload)) {
    audit_.Append({audit_type::kToolDecision,
                   session.tenant_id,
                   session.session_id,
                   "policy",
                   {{"request_id", ask->request_id},
                    {"tool", ask->tool},
                    {"decision", "ask"},
                    {"rule", ask->rule},
                    {"message", ask->message},
                    {"timeout_ms", ask->timeout_ms},
                    {"source", "policy"}}},
                  nullptr);
  } else if (const auto* exit = std::get_if<Exit>(&payload)) {
    audit_.Append({audit_type::kSandboxOutcome,
                   session.tenant_id,
                   session.session_id,
                   "system",
                   {{"outcome", sandbox::OutcomeKindName(exit->kind)},
                    {"code", exit->code},
                    {"description", exit->description}}},
                  nullptr);
  }
}

}  // namespace hotplex::supervisor
