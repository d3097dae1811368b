#include "supervisor/stop_reason.hpp"

#include "supervisor/audit/audit.hpp"

namespace hotplex::supervisor {
namespace {

struct ReasonRow {
  const char* text;
  const char* audit_type;
};

// Texts are the strings clients and audit readers saw before the enum: keep
// them byte-identical.
ReasonRow Row(StopReason reason) {
  switch (reason) {
    case StopReason::kIdleTimeout: return {"idle timeout", audit_type::kSessionExpired};
    case StopReason::kDaemonShutdown: return {"daemon shutting down", audit_type::kSessionStopped};
    case StopReason::kDeletedByClient:
      return {"deleted by the client", audit_type::kSessionDeleted};
    case StopReason::kKilledByAdmin: return {"killed by admin", audit_type::kSessionKilled};
    case StopReason::kFailedToStart: return {"failed to start", audit_type::kSessionDeleted};
    case StopReason::kWarmPoolLaunchFailed:
      return {"warm pool launch failed", audit_type::kSessionDeleted};
    case StopReason::kWarmPoolUnwanted:
      return {"warm pool no longer wants it", audit_type::kSessionDeleted};
    case StopReason::kWarmPoolResized: return {"warm pool resized", audit_type::kSessionDeleted};
    case StopReason::kWarmPoolStale:
      return {"warm pool entry dead or built from an old policy", audit_type::kSessionDeleted};
    case StopReason::kWarmPoolDrained: return {"warm pool drained", audit_type::kSessionDeleted};
  }
  return {"stopped", audit_type::kSessionStopped};  // not reached: every enumerator is above
}

}  // namespace

const char* StopReasonText(StopReason reason) { return Row(reason).text; }

const char* StopAuditType(StopReason reason) { return Row(reason).audit_type; }

}  // namespace hotplex::supervisor
