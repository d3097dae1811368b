// ApiContext: what every connection of the API server shares (like Beast's
// `shared_state`): the session manager, the tenants and the HTTP settings.
// It holds no sockets and no sessions of its own.
// Thread-safety: the referenced objects are thread-safe; flags are atomics.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "supervisor/admin_token.hpp"
#include "supervisor/audit/audit.hpp"
#include "supervisor/auth_failure_log.hpp"
#include "supervisor/daemon_config.hpp"
#include "supervisor/session_manager.hpp"
#include "supervisor/tenant_registry.hpp"

namespace hotplex::policies {
class PolicyStore;
}
namespace hotplex::supervisor {
class TranscriptStore;
}

namespace hotplex::api {

struct ApiContext {
  supervisor::SessionManager& sessions;
  const supervisor::TenantRegistry& tenants;
  supervisor::HttpSettings http;
  supervisor::EventSettings events;
  std::atomic<bool> ready{false};     // /readyz: recovered and listening
  std::atomic<bool> stopping{false};  // shutdown began: refuse new work
  // Set by the Daemon before serving; null when the setup has none (then the
  // routes that need them answer 503).
  supervisor::AuditSink* audit = nullptr;
  const supervisor::AuditReader* audit_reader = nullptr;
  supervisor::TranscriptStore* transcripts = nullptr;
  const supervisor::AdminToken* admin_token = nullptr;  // null: every admin request is 401
  supervisor::AuthFailureLog* auth_failures = nullptr;  // null: auth failures are not audited
  policies::PolicyStore* policy_store = nullptr;        // null: policy routes answer 503
  std::string policy_dir{};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace hotplex::api
