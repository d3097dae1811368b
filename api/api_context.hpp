// ApiContext: what every connection of the API server shares (like Beast's
// `shared_state`): the session manager, the tenants and the HTTP settings.
// It holds no sockets and no sessions of its own.
// Thread-safety: the referenced objects are thread-safe; flags are atomics.
#pragma once

#include <atomic>

#include "supervisor/daemon_config.hpp"
#include "supervisor/session_manager.hpp"
#include "supervisor/tenant_registry.hpp"

namespace hotplex::api {

struct ApiContext {
  supervisor::SessionManager& sessions;
  const supervisor::TenantRegistry& tenants;
  supervisor::HttpSettings http;
  supervisor::EventSettings events;
  std::atomic<bool> ready{false};     // /readyz: recovered and listening
  std::atomic<bool> stopping{false};  // shutdown began: refuse new work
};

}  // namespace hotplex::api
