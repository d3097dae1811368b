#include "supervisor/session_metrics_observer.hpp"

namespace hotplex::supervisor {

void SessionMetricsObserver::OnEvent(const SessionKey& session, const EventPayload& payload) {
  if (const auto* d = std::get_if<PermissionDecision>(&payload)) {
    metrics_.ToolDecision(d->allowed ? "allow" : "deny", d->rule, session.tenant_id);
    if (!d->allowed && !d->category.empty()) metrics_.FirewallBlock(d->category);
  } else if (const auto* r = std::get_if<PermissionRequest>(&payload)) {
    metrics_.ToolDecision("ask", r->rule, session.tenant_id);
  } else if (const auto* u = std::get_if<Usage>(&payload)) {
    metrics_.Usage(session.tenant_id, {u->input_tokens, u->output_tokens, u->cache_read_tokens,
                                       u->cache_creation_tokens, u->cost_usd});
  }
}

}  // namespace hotplex::supervisor
