// SessionObserver: told of every event a session publishes (state changes
// included: they are Status events), in publication order, before subscribers
// see it. Audit records and metrics derived from events are observers
// (session_audit_observer.hpp, session_metrics_observer.hpp), not code inside
// Session. Thread-safety: called with the session's lock held, so OnEvent must
// be quick, must not block and must not call back into the session.
#pragma once

#include <string>

#include "supervisor/event.hpp"

namespace hotplex::supervisor {

// Whose event it is (the id changes once, when a warm-pool session is adopted).
struct SessionKey {
  const std::string& tenant_id;
  const std::string& session_id;
};

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void OnEvent(const SessionKey& session, const EventPayload& payload) = 0;
};

}  // namespace hotplex::supervisor
