// ConnectionCaps: the caps on concurrent client connections of the two
// listeners, resolved once at start from the config (HttpSettings) and the
// process's open-file limit, so that client sockets alone can never use up the
// descriptors the sandboxes, databases and transcripts need.
//
//   API:   http.max_connections, or (0) min(4096, RLIMIT_NOFILE / 2)
//   admin: http.admin_max_connections, at most RLIMIT_NOFILE / 8 (at least 8)
// and per client address http.max_connections_per_ip /
// http.admin_max_connections_per_ip, never above the listener's cap, and
// never above half of it when that cap came from the file limit (so that one
// address cannot fill a listener on a daemon with few descriptors).
// Read the limit after raising it (api/cli/cli_serve.cpp raises it at start).
// Thread-safety: pure function over the config and getrlimit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "supervisor/daemon_config.hpp"

namespace hotplex::supervisor {

struct ListenerCaps {
  std::size_t total = 0;
  std::size_t per_address = 0;
};

struct ConnectionCaps {
  ListenerCaps api;
  ListenerCaps admin;
};

// `open_file_limit` 0: read RLIMIT_NOFILE (soft) now.
ConnectionCaps ResolveConnectionCaps(const HttpSettings& http, std::uint64_t open_file_limit = 0);

}  // namespace hotplex::supervisor
