#include "supervisor/metrics/process_stats.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace hotplex::supervisor {

namespace {

// "Threads:\t12" from /proc/self/status.
std::uint64_t StatusField(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(name) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size()));
  }
  return 0;
}

std::uint64_t CountOpenFds() {
  std::error_code ec;
  std::uint64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  // The iterator's own descriptor was open while counting.
  return n > 0 ? n - 1 : 0;
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    stats.rss_bytes = resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  }
  stats.open_fds = CountOpenFds();
  stats.threads = StatusField("Threads");
  return stats;
}

std::array<double, 3> ReadLoadAverage() {
  std::array<double, 3> load{0, 0, 0};
  std::ifstream in("/proc/loadavg");
  in >> load[0] >> load[1] >> load[2];
  return load;
}

}  // namespace hotplex::supervisor
