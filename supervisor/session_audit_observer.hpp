// SessionAuditObserver: the audit records derived from a session's events
// (supervisor/audit/AUDIT.md): an ask (tool.decision with decision "ask"; its
// answer is recorded by Session::RecordDecision, which must wait for it) and
// how a sandbox ended (sandbox.outcome). Appended without waiting.
// Thread-safety: AuditSink::Append is thread-safe; no state of its own.
#pragma once

#include "supervisor/audit/audit.hpp"
#include "supervisor/session_observer.hpp"

namespace hotplex::supervisor {

class SessionAuditObserver final : public SessionObserver {
 public:
  explicit SessionAuditObserver(AuditSink& audit) : audit_(audit) {}
  void OnEvent(const SessionKey& session, const EventPayload& payload) override;

 private:
  AuditSink& audit_;
};

}  // namespace hotplex::supervisor
