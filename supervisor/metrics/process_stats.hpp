// ProcessStats: the daemon's own resource use, read from /proc (resident
// memory, open descriptors, threads) and the host's load average. Used by the
// admin API's /admin/v1/stats and by the process gauges of /metrics.
// Thread-safety: free functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>

namespace hotplex::supervisor {

struct ProcessStats {
  std::uint64_t rss_bytes = 0;
  std::uint64_t open_fds = 0;
  std::uint64_t threads = 0;
};

// Fields that cannot be read stay 0.
ProcessStats ReadProcessStats();
// /proc/loadavg: 1, 5 and 15 minutes; zeros if unreadable.
std::array<double, 3> ReadLoadAverage();

}  // namespace hotplex::supervisor
