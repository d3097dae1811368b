#include "supervisor/connection_caps.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace hotplex::supervisor {
namespace {

constexpr std::uint64_t kAutoApiMax = 4096;
constexpr std::uint64_t kMinAdmin = 8;

std::uint64_t SoftOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return 1u << 20;  // no usable answer: the kernel's usual nr_open ceiling
  }
  return limit.rlim_cur;
}

}  // namespace

ConnectionCaps ResolveConnectionCaps(const HttpSettings& http, std::uint64_t open_file_limit) {
  const std::uint64_t files = open_file_limit != 0 ? open_file_limit : SoftOpenFileLimit();
  ConnectionCaps caps;
  caps.api.total = http.max_connections != 0
                       ? http.max_connections
                       : static_cast<std::size_t>(std::max<std::uint64_t>(
                             1, std::min(kAutoApiMax, files / 2)));
  caps.admin.total = static_cast<std::size_t>(std::min<std::uint64_t>(
      std::max<std::size_t>(http.admin_max_connections, 1), std::max(kMinAdmin, files / 8)));
  caps.api.per_address = std::clamp<std::size_t>(http.max_connections_per_ip, 1, caps.api.total);
  caps.admin.per_address =
      std::clamp<std::size_t>(http.admin_max_connections_per_ip, 1, caps.admin.total);
  return caps;
}

}  // namespace hotplex::supervisor
