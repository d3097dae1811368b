// SessionMetricsObserver: the counters a session's events move — tool
// decisions by verdict and rule, firewall blocks by category, token usage and
// cost per tenant (supervisor/metrics/metrics.hpp). Thread-safety: Metrics is
// thread-safe; the observer holds no state of its own.
#pragma once

#include "supervisor/metrics/metrics.hpp"
#include "supervisor/session_observer.hpp"

namespace hotplex::supervisor {

class SessionMetricsObserver final : public SessionObserver {
 public:
  explicit SessionMetricsObserver(Metrics& metrics) : metrics_(metrics) {}
  void OnEvent(const SessionKey& session, const EventPayload& payload) override;

 private:
  Metrics& metrics_;
};

}  // namespace hotplex::supervisor
