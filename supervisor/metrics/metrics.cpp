#include "supervisor/metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cerrno>

namespace hotplex::supervisor {
namespace prom = prometheus;

namespace {

template <class Builder>
auto& Build(Builder builder, const char* name, const char* help, prom::Registry& registry) {
  return builder.Name(name).Help(help).Register(registry);
}

prom::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

struct Metrics::Families {
  explicit Families(prom::Registry& r)
      : spawn(Build(prom::BuildHistogram(), "hotplex_sandbox_spawn_seconds",
                    "Time from launch request to a running sandbox, by backend", r)),
        decisions(Build(prom::BuildCounter(), "hotplex_tool_decisions_total",
                        "Tool decisions by decision, policy rule and tenant", r)),
        firewall(Build(prom::BuildCounter(), "hotplex_firewall_blocks_total",
                       "Commands blocked by the firewall, by category", r)),
        egress(Build(prom::BuildCounter(), "hotplex_egress_requests_total",
                     "Egress requests by verdict", r)),
        events(Build(prom::BuildCounter(), "hotplex_events_brokered_total",
                     "Events delivered to clients (SSE and WebSocket)", r)
                   .Add({})),
        bytes(Build(prom::BuildCounter(), "hotplex_event_bytes_brokered_total",
                    "Bytes of events delivered to clients", r)
                  .Add({})),
        slow(Build(prom::BuildCounter(), "hotplex_slow_consumer_disconnects_total",
                   "Subscribers cut off because they fell behind", r)
                 .Add({})),
        restarts(Build(prom::BuildCounter(), "hotplex_agent_restarts_total",
                       "Agents restarted for a stopped session", r)
                     .Add({})),
        crashes(Build(prom::BuildCounter(), "hotplex_agent_crashes_total",
                      "Agents that exited without being asked to", r)
                    .Add({})),
        tokens(Build(prom::BuildCounter(), "hotplex_tokens_total",
                     "Model tokens by tenant and kind", r)),
        cost(Build(prom::BuildCounter(), "hotplex_cost_usd_total", "Model cost by tenant", r)),
        audit_commit(Build(prom::BuildHistogram(), "hotplex_audit_commit_seconds",
                           "Latency of an audit record until durable", r)
                         .Add({}, LatencyBuckets())),
        audit_healthy(Build(prom::BuildGauge(), "hotplex_audit_healthy",
                            "1 while the audit store can write", r)
                          .Add({})),
        admin(Build(prom::BuildCounter(), "hotplex_admin_requests_total",
                    "Admin API requests by route and status", r)),
        refused(Build(prom::BuildCounter(), "hotplex_connections_refused_total",
                      "Connections closed at accept by the connection caps, by listener and reason",
                      r)),
        auth_failures(Build(prom::BuildCounter(), "hotplex_auth_failures_total",
                            "Authentication failures by listener", r)),
        auth_overflow(Build(prom::BuildCounter(), "hotplex_auth_failure_overflow_total",
                            "Authentication failures from sources beyond the tracked maximum", r)
                          .Add({})),
        workdir_refused(Build(prom::BuildCounter(), "hotplex_workdir_refused_total",
                              "Workdirs and homes refused (a link, outside the root, too long), "
                              "by reason",
                              r)),
        transcript_quota(Build(prom::BuildCounter(), "hotplex_transcript_quota_total",
                               "Sessions whose transcript reached a quota, by scope", r)),
        transcript_dropped(Build(prom::BuildCounter(), "hotplex_transcript_dropped_bytes_total",
                                 "Bytes of events not persisted to transcripts", r)
                               .Add({})),
        lines_truncated(Build(prom::BuildCounter(), "hotplex_lines_truncated_total",
                              "Agent output lines cut at events.max_line_bytes", r)
                            .Add({})),
        witness_failures(Build(prom::BuildCounter(), "hotplex_audit_witness_failures_total",
                               "Audit witness checkpoints that could not be written", r)
                             .Add({})),
        egress_discarded(Build(prom::BuildCounter(), "hotplex_egress_discarded_bytes_total",
                               "Bytes sent after a proxied request (pipelined), dropped", r)
                             .Add({})),
        launches_refused(Build(prom::BuildCounter(), "hotplex_launches_refused_total",
                               "Sandbox launches refused because the launch queue was full", r)
                             .Add({})) {}

  prom::Family<prom::Histogram>& spawn;
  prom::Family<prom::Counter>& decisions;
  prom::Family<prom::Counter>& firewall;
  prom::Family<prom::Counter>& egress;
  prom::Counter& events;
  prom::Counter& bytes;
  prom::Counter& slow;
  prom::Counter& restarts;
  prom::Counter& crashes;
  prom::Family<prom::Counter>& tokens;
  prom::Family<prom::Counter>& cost;
  prom::Histogram& audit_commit;
  prom::Gauge& audit_healthy;
  prom::Family<prom::Counter>& admin;
  prom::Family<prom::Counter>& refused;
  prom::Family<prom::Counter>& auth_failures;
  prom::Counter& auth_overflow;
  prom::Family<prom::Counter>& workdir_refused;
  prom::Family<prom::Counter>& transcript_quota;
  prom::Counter& transcript_dropped;
  prom::Counter& lines_truncated;
  prom::Counter& witness_failures;
  prom::Counter& egress_discarded;
  prom::Counter& launches_refused;
};

Metrics& Metrics::Global() {
  static Metrics metrics;
  return metrics;
}

Metrics::Metrics()
    : registry_(std::make_shared<prom::Registry>()),
      families_(std::make_unique<Families>(*registry_)) {
  families_->audit_healthy.Set(1);
}

Metrics::~Metrics() = default;

void Metrics::SandboxSpawned(std::string_view backend, std::chrono::duration<double> latency) {
  families_->spawn.Add({{"backend", std::string(backend)}}, LatencyBuckets())
      .Observe(latency.count());
}

void Metrics::ToolDecision(std::string_view decision, std::string_view rule,
                           std::string_view tenant) {
  families_->decisions
      .Add({{"decision", std::string(decision)},
            {"rule", std::string(rule)},
            {"tenant", std::string(tenant)}})
      .Increment();
}

void Metrics::FirewallBlock(std::string_view category) {
  families_->firewall.Add({{"category", std::string(category)}}).Increment();
}

void Metrics::Egress(bool allowed) {
  families_->egress.Add({{"verdict", allowed ? "allowed" : "denied"}}).Increment();
}

void Metrics::EventsBrokered(std::uint64_t events, std::uint64_t bytes) {
  families_->events.Increment(static_cast<double>(events));
  families_->bytes.Increment(static_cast<double>(bytes));
}

void Metrics::SlowConsumerDisconnect() { families_->slow.Increment(); }
void Metrics::AgentRestart() { families_->restarts.Increment(); }
void Metrics::AgentCrash() { families_->crashes.Increment(); }

void Metrics::Usage(std::string_view tenant, const TokenUsage& delta) {
  const std::string t(tenant);
  const std::pair<const char*, std::uint64_t> kinds[] = {{"input", delta.input},
                                                         {"output", delta.output},
                                                         {"cache_read", delta.cache_read},
                                                         {"cache_creation", delta.cache_creation}};
  for (const auto& [kind, n] : kinds) {
    if (n > 0) families_->tokens.Add({{"tenant", t}, {"kind", kind}}).Increment(double(n));
  }
  if (delta.cost_usd > 0) families_->cost.Add({{"tenant", t}}).Increment(delta.cost_usd);
}

void Metrics::AuditCommit(std::chrono::duration<double> latency) {
  families_->audit_commit.Observe(latency.count());
}

void Metrics::AuditHealthy(bool healthy) { families_->audit_healthy.Set(healthy ? 1 : 0); }

void Metrics::AdminRequest(std::string_view route, int status) {
  families_->admin.Add({{"route", std::string(route)}, {"status", std::to_string(status)}})
      .Increment();
}

void Metrics::ConnectionRefused(std::string_view listener, std::string_view reason) {
  families_->refused.Add({{"listener", std::string(listener)}, {"reason", std::string(reason)}})
      .Increment();
}

void Metrics::AuthFailure(std::string_view listener) {
  families_->auth_failures.Add({{"listener", std::string(listener)}}).Increment();
}

void Metrics::AuthFailureOverflow() { families_->auth_overflow.Increment(); }

void Metrics::WorkdirRefused(int refusal_errno) {
  // A fixed set: the refused path itself never becomes a label.
  const char* reason = "other";
  if (refusal_errno == ELOOP || refusal_errno == ENOTDIR) reason = "link";
  if (refusal_errno == EXDEV) reason = "outside";
  if (refusal_errno == ENAMETOOLONG) reason = "too_long";
  families_->workdir_refused.Add({{"reason", reason}}).Increment();
}

void Metrics::TranscriptQuota(std::string_view scope) {
  families_->transcript_quota.Add({{"scope", std::string(scope)}}).Increment();
}

void Metrics::TranscriptDropped(std::uint64_t bytes) {
  families_->transcript_dropped.Increment(static_cast<double>(bytes));
}

void Metrics::LineTruncated() { families_->lines_truncated.Increment(); }
void Metrics::AuditWitnessFailure() { families_->witness_failures.Increment(); }

void Metrics::LaunchRefused() { families_->launches_refused.Increment(); }

void Metrics::EgressDiscarded(std::uint64_t bytes) {
  families_->egress_discarded.Increment(static_cast<double>(bytes));
}

std::string Metrics::Expose(const SessionCounts& sessions, const ProcessStats& process) const {
  // Scrape-time gauges live in a registry of their own, rebuilt per scrape, so
  // a label set that disappeared (a tenant with no sessions left) disappears.
  prom::Registry scrape;
  auto& by_state = Build(prom::BuildGauge(), "hotplex_sessions",
                         "Sessions by state, tenant and backend", scrape);
  for (const auto& [labels, n] : sessions) {
    by_state.Add({{"state", labels.state}, {"tenant", labels.tenant}, {"backend", labels.backend}})
        .Set(static_cast<double>(n));
  }
  Build(prom::BuildGauge(), "hotplex_process_resident_memory_bytes", "Resident memory of hotplexd",
        scrape)
      .Add({})
      .Set(static_cast<double>(process.rss_bytes));
  Build(prom::BuildGauge(), "hotplex_process_open_fds", "Open file descriptors of hotplexd", scrape)
      .Add({})
      .Set(static_cast<double>(process.open_fds));
  auto families = registry_->Collect();
  auto extra = scrape.Collect();
  families.insert(families.end(), extra.begin(), extra.end());
  std::string text = prom::TextSerializer().Serialize(families);
  // prometheus-cpp leaves out a labelled family that has no series yet; name
  // it anyway (HELP and TYPE only), so scrapers and dashboards see every family.
  static constexpr std::pair<const char*, const char*> kLabelled[] = {
      {"hotplex_sandbox_spawn_seconds", "histogram"},
      {"hotplex_tool_decisions_total", "counter"},
      {"hotplex_firewall_blocks_total", "counter"},
      {"hotplex_egress_requests_total", "counter"},
      {"hotplex_tokens_total", "counter"},
      {"hotplex_cost_usd_total", "counter"},
      {"hotplex_admin_requests_total", "counter"},
      {"hotplex_sessions", "gauge"},
      {"hotplex_connections_refused_total", "counter"},
      {"hotplex_auth_failures_total", "counter"},
      {"hotplex_workdir_refused_total", "counter"},
      {"hotplex_transcript_quota_total", "counter"}};
  for (const auto& [name, type] : kLabelled) {
    if (text.find(std::string("# TYPE ") + name + " ") != std::string::npos) continue;
    text += std::string("# HELP ") + name + " (no series yet)\n# TYPE " + name + " " + type + "\n";
  }
  return text;
}

}  // namespace hotplex::supervisor
