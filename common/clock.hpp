// Wall-clock time as the daemon stores it: milliseconds since the Unix epoch
// (session records, audit rows, auth-failure windows).
// Thread-safety: a pure function of the system clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace hotplex {

inline std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace hotplex
