// Probes for the hostile memory tests: run a burst of output in a tenant's
// shell while counting its events without keeping them, sample the daemon's
// RSS, and hold WebSocket clients that attach and then never read.
// Thread-safety: each object has one owner thread (RssSampler samples on its own).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"
#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing {

struct BurstCount {
  bool done = false;                     // the end marker arrived
  int text_events = 0;                   // text events before the marker
  int truncated = 0;                     // of those, flagged truncated
  std::size_t max_frame = 0;             // the longest text event's SSE frame (bounds its text)
  std::vector<std::string> error_codes;  // `error` events seen
};

// Sends `command` to the shell session and reads its SSE stream (counting,
// not storing) until the command's end marker or `timeout`.
BurstCount RunAndCount(const HostileDaemon& daemon, const std::string& session,
                       const std::string& command,
                       std::chrono::seconds timeout = std::chrono::seconds(60));

// Samples the daemon's VmRSS every 10 ms until destroyed; Peak() in KiB.
class RssSampler {
 public:
  explicit RssSampler(const HostileDaemon& daemon);
  ~RssSampler();
  long Peak() const { return peak_.load(); }

 private:
  const HostileDaemon& daemon_;
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_{0};
  std::thread thread_;
};

// A client on a raw TCP socket with a tiny receive buffer that subscribes to
// `session` from `after` and then never reads.
class SilentClient {
 public:
  // WebSocket: upgrades and attaches. An empty error text on success.
  std::string ConnectWebSocket(int port, const std::string& key, const std::string& session,
                               std::uint64_t after);
  // SSE: sends GET /v1/sessions/{id}/events?after= and reads nothing at all.
  std::string ConnectSse(int port, const std::string& key, const std::string& session,
                         std::uint64_t after);
  // Reads (and discards) everything until the server closes the connection;
  // true when it did within `timeout`. `bytes` gets what was read.
  bool DrainUntilClosed(std::chrono::seconds timeout, std::size_t* bytes = nullptr);

 private:
  std::string Dial(int port);

  UniqueFd fd_;
};

}  // namespace hotplex::testing
