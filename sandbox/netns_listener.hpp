// ListenInNetworkNamespace: a listening TCP socket that lives in a sandbox's
// network namespace, owned by the caller. The building block of egress
// proxying and forwards: the supervisor accepts on it from outside, so the
// sandbox reaches a proxy on its own loopback with no veth and no iptables.
// Thread-safety: reentrant; the setns happens on a short-lived thread of its
// own, so the calling thread's namespaces never change.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::sandbox {

// Binds `ipv4_address:port` (port 0 = any) inside the network namespace of
// process `pid` and listens. The returned socket is non-blocking and CLOEXEC.
Result<UniqueFd> ListenInNetworkNamespace(pid_t pid, const std::string& ipv4_address,
                                          std::uint16_t port, int backlog = 64);
// The port a listening socket is bound to.
Result<std::uint16_t> BoundPort(int socket_fd);

}  // namespace hotplex::sandbox
