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

// The listener's cap comes from the file limit (`derived`): one address gets
// half of it at most, so that a single client cannot fill it and the others
// are still served. A cap set in the config is the operator's: one address
// (e.g. a reverse proxy) may use all of it.
ListenerCaps Caps(std::size_t total, bool derived, std::size_t per_address) {
  ListenerCaps caps;
  caps.total = std::max<std::size_t>(total, 1);
  const std::size_t ceiling = derived ? std::max<std::size_t>(caps.total / 2, 1) : caps.total;
  caps.per_address = std::clamp<std::size_t>(per_address, 1, ceiling);
  return caps;
}

}  // namespace

ConnectionCaps ResolveConnectionCaps(const HttpSettings& http, std::uint64_t open_file_limit) {
  const std::uint64_t files = open_file_limit != 0 ? open_file_limit : SoftOpenFileLimit();
  const bool api_auto = http.max_connections == 0;
  const std::uint64_t api_total =
      api_auto ? std::min(kAutoApiMax, files / 2) : http.max_connections;
  const std::uint64_t admin_ceiling = std::max(kMinAdmin, files / 8);
  const bool admin_clamped = http.admin_max_connections > admin_ceiling;
  const std::uint64_t admin_total =
      admin_clamped ? admin_ceiling : std::max<std::uint64_t>(http.admin_max_connections, 1);
  ConnectionCaps caps;
  caps.api = Caps(static_cast<std::size_t>(api_total), api_auto, http.max_connections_per_ip);
  caps.admin =
      Caps(static_cast<std::size_t>(admin_total), admin_clamped, http.admin_max_connections_per_ip);
  return caps;
}

}  // namespace hotplex::supervisor
