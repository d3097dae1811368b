// Metrics: the daemon's Prometheus registry and the typed calls that feed it.
//
// One process-wide instance (Metrics::Global()), like Prometheus' default
// registry: the supervisor calls a method where something happens (a sandbox
// spawned, a tool decided, an agent crashed), and the admin API's /metrics
// route renders the text exposition (prometheus-cpp's TextSerializer) together
// with the gauges computed at scrape time (sessions, process RSS and fds).
// Family names and labels are listed in api/ADMIN.md. Label values come from
// bounded sets (tenants, backends, policy rule ids, decision kinds).
// Thread-safety: every method is thread-safe (prometheus-cpp metrics are atomic,
// families lock their label maps).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "supervisor/metrics/process_stats.hpp"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace hotplex::supervisor {

// The labels of the hotplex_sessions gauge.
struct SessionLabels {
  std::string state;
  std::string tenant;
  std::string backend;
  auto operator<=>(const SessionLabels&) const = default;
};

using SessionCounts = std::map<SessionLabels, std::uint64_t>;

struct TokenUsage {
  std::uint64_t input = 0;
  std::uint64_t output = 0;
  std::uint64_t cache_read = 0;
  std::uint64_t cache_creation = 0;
  double cost_usd = 0;
};

class Metrics {
 public:
  static Metrics& Global();
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void SandboxSpawned(std::string_view backend, std::chrono::duration<double> latency);
  // decision: "allow", "deny", "ask"; rule: the policy rule id ("" = none).
  void ToolDecision(std::string_view decision, std::string_view rule, std::string_view tenant);
  void FirewallBlock(std::string_view category);
  void Egress(bool allowed);
  void EventsBrokered(std::uint64_t events, std::uint64_t bytes);
  void SlowConsumerDisconnect();
  void AgentRestart();
  void AgentCrash();
  // The increase of a session's token counters and cost.
  void Usage(std::string_view tenant, const TokenUsage& delta);
  void AuditCommit(std::chrono::duration<double> latency);
  void AuditHealthy(bool healthy);
  void AdminRequest(std::string_view route, int status);
  // listener: "api" or "admin"; reason: "listener_full" or "address_full".
  void ConnectionRefused(std::string_view listener, std::string_view reason);
  void AuthFailure(std::string_view listener);
  // A failure from a source beyond AuthFailureLog's max_sources (counted under "*").
  void AuthFailureOverflow();
  // A workdir or home refused by sandbox/host_path; refusal_errno (the Error's
  // sys_errno) is mapped to a fixed reason: link, outside, too_long or other.
  void WorkdirRefused(int refusal_errno);
  // scope: "session" or "tenant" (which transcript quota was reached).
  void TranscriptQuota(std::string_view scope);
  // Bytes of events not persisted (over a quota, queue full, write failed).
  void TranscriptDropped(std::uint64_t bytes);
  void LineTruncated();
  void AuditWitnessFailure();
  // Bytes after a proxied request's body (a pipelined request), never forwarded.
  void EgressDiscarded(std::uint64_t bytes);
  // A sandbox launch refused because the launcher's queue was full (supervisor/launcher.hpp).
  void LaunchRefused();

  // The text exposition of every family plus the scrape-time gauges.
  std::string Expose(const SessionCounts& sessions, const ProcessStats& process) const;

 private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
};

}  // namespace hotplex::supervisor
