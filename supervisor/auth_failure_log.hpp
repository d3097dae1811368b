// AuthFailureLog: authentication failures of both listeners, audited as
// `auth.failure` records aggregated per source so that a flood of bad keys
// cannot fill the audit store.
//
// A source is (listener, client address). Its first failure is written at once
// (count 1, so an operator sees it without delay) and opens a window; later
// failures in that window are only counted, and when the window ends one
// summary record carries their count (and the count per reason). A source still
// failing then starts the next window with no immediate record; a quiet one is
// forgotten. The record count is thus at most 1 + (failures spread over n
// windows: n) per source, whatever the rate.
// At most `max_sources` sources are tracked (memory bound); failures from
// further sources are counted together under the source "*" (data.overflow =
// true) and in hotplex_auth_failure_overflow_total. Every failure is in
// hotplex_auth_failures_total{listener}. Windows are flushed by FlushDue() (the
// API server calls it on a timer) and FlushAll() (shutdown); the sum of the
// records' `count` is the number of failures.
// Thread-safety: thread-safe; audit appends happen outside the lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/audit/audit.hpp"

namespace hotplex::supervisor {

struct AuthFailure {
  std::string listener;  // "api" or "admin"
  std::string address;   // the client's IP address
  std::string reason;    // one of a fixed set per listener, e.g. "no bearer token"
  std::string path;      // the request target (cut at 256 bytes); never the key
  std::string route;     // the matched route's name ("" = none)
};

struct AuthFailureLogOptions {
  std::chrono::milliseconds window{60000};
  std::size_t max_sources = 1024;
};

class AuthFailureLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::string_view kOverflowAddress = "*";

  // `sink` may be null (then only the metrics count).
  AuthFailureLog(AuditSink* sink, AuthFailureLogOptions options);

  void Record(AuthFailure failure, Clock::time_point now = Clock::now());
  // Writes the summary of every window that ended by `now`.
  void FlushDue(Clock::time_point now = Clock::now());
  // Writes every pending summary now (shutdown).
  void FlushAll();
  std::size_t TrackedSources() const;
  const AuthFailureLogOptions& options() const { return options_; }

 private:
  struct Source {
    Clock::time_point window_start;
    std::int64_t first_ms = 0;  // wall clock of the window's first counted failure
    std::int64_t last_ms = 0;
    std::uint64_t pending = 0;                     // failures not yet in a record
    std::map<std::string, std::uint64_t> reasons;  // of the pending ones
    std::string last_path;
  };
  using Key = std::pair<std::string, std::string>;  // listener, address

  // The source's key, or its listener's overflow key when the table is full.
  Key Admit(const AuthFailure& failure, Clock::time_point now, std::vector<AuditRecord>& out);
  void FlushDueLocked(Clock::time_point now, bool all, std::vector<AuditRecord>& out);
  void Write(std::vector<AuditRecord> records);

  AuditSink* sink_;
  const AuthFailureLogOptions options_;
  mutable std::mutex mu_;
  std::map<Key, Source> sources_;
};

}  // namespace hotplex::supervisor
