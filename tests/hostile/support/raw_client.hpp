// Raw TCP clients for the hostile tests: sockets bound to a chosen loopback
// source address (127.0.0.2 is "another client" to the daemon's per-address
// cap), half-open connections, and one-shot HTTP/1.1 exchanges. Every wait is
// bounded by a timeout.
#pragma once

#include <chrono>
#include <string>

#include "common/unique_fd.hpp"

namespace hotplex::testing {

// A connected TCP socket from `source` (an IPv4 loopback address) to
// 127.0.0.1:port; invalid when the connect failed. `receive_buffer` > 0 sets
// SO_RCVBUF before the connect (a tiny window makes a slow reader).
UniqueFd ConnectFrom(const std::string& source, int port, int receive_buffer = 0);
bool SendAll(int fd, const std::string& bytes);
// Everything read until the peer closes or `timeout` passes.
std::string ReadUntilClosed(int fd, std::chrono::milliseconds timeout);
// True when the peer closed (EOF or reset) within `timeout`.
bool ClosedWithin(int fd, std::chrono::milliseconds timeout);
// One request with `Connection: close` from `source`; the raw response ("" on none).
std::string RawGet(const std::string& source, int port, const std::string& path,
                   const std::string& bearer, std::chrono::milliseconds timeout);
// The status code of a raw response's status line, 0 when there is none.
int StatusOf(const std::string& response);

}  // namespace hotplex::testing
