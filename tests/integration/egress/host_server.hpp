// HostServer: a tiny HTTP server on the host's 127.0.0.1 (ephemeral port) that
// answers every request with a fixed body, counts connections and keeps what
// each connection sent (its head and whatever followed within 150 ms: a
// pipelined request shows up there). The "internet" of the egress tests.
// Thread-safety: its own accept thread; the accessors may be called from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"

namespace hotplex::testing {

class HostServer {
 public:
  explicit HostServer(std::string body);
  ~HostServer();
  std::uint16_t Port() const { return port_; }
  int Connections() const { return connections_.load(); }
  // The bytes each connection sent, in order of arrival.
  std::vector<std::string> Received() const;

 private:
  void Serve();

  std::string body_;
  UniqueFd listener_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> received_;
  std::thread thread_;
};

// A port on the host's 127.0.0.1 that nothing listens on (bound, then closed).
std::uint16_t UnusedPort();

}  // namespace hotplex::testing
