// StopReason: why a session's agent was stopped or the session deleted, as a
// value. Its text is what people see (the Status event's `reason`, the audit
// record's `reason`, the admin kill answer); its audit type says which
// session.* record the stop writes (supervisor/audit/AUDIT.md). One table in
// stop_reason.cpp holds both, so a new reason cannot get one without the other.
// Thread-safety: pure functions.
#pragma once

namespace hotplex::supervisor {

enum class StopReason {
  kIdleTimeout,      // the reaper: no activity for the policy's idle_timeout
  kDaemonShutdown,   // the daemon stops (the session is kept)
  kDeletedByClient,  // DELETE /v1/sessions/{id}
  kKilledByAdmin,    // the admin API's kill
  kFailedToStart,    // a create whose first launch failed
  kWarmPoolLaunchFailed,
  kWarmPoolUnwanted,  // filled after the pool shrank
  kWarmPoolResized,
  kWarmPoolStale,    // dead, or built from an older policy
  kWarmPoolDrained,  // daemon shutdown: the pool empties
};

// The text people see, e.g. "idle timeout", "killed by admin".
const char* StopReasonText(StopReason reason);

// The audit record type of the stop: session.expired (idle timeout),
// session.killed (admin kill), session.stopped (daemon shutdown), else
// session.deleted.
const char* StopAuditType(StopReason reason);

}  // namespace hotplex::supervisor
