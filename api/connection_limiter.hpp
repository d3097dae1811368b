// ConnectionLimiter: how many connections one listener holds open, in total
// and per client address, and whether it may take one more.
//
// Every open connection costs the daemon a file descriptor (and a coroutine
// frame) until it closes or its read deadline fires, so a client that opens
// sockets and sends nothing can exhaust RLIMIT_NOFILE and starve every other
// client and the sandboxes. The accept loop asks TryAdmit() for each accepted
// socket: a granted connection carries its ConnectionSlot for as long as it
// lives (the slot gives its place back when destroyed); a refused one is
// closed at once (api_server.cpp). The state is shared with the slots, so a
// slot may outlive the limiter (coroutine frames are destroyed with the
// io_context, after the server).
// Thread-safety: thread-safe (one mutex, held for a map lookup only).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <variant>

#include <boost/asio/ip/address.hpp>

namespace hotplex::api {

enum class ConnectionRefusal {
  kListenerFull,  // the listener holds `total` connections
  kAddressFull,   // this client address holds `per_address` connections
};

const char* RefusalName(ConnectionRefusal refusal);

class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { Release(); }

 private:
  friend class ConnectionLimiter;
  struct State;
  ConnectionSlot(std::shared_ptr<State> state, boost::asio::ip::address address)
      : state_(std::move(state)), address_(address) {}
  void Release();

  std::shared_ptr<State> state_;
  boost::asio::ip::address address_;
};

class ConnectionLimiter {
 public:
  struct Limits {
    std::size_t total = 4096;
    std::size_t per_address = 256;
  };

  explicit ConnectionLimiter(Limits limits);

  // A slot for one more connection from `peer`, or why there is none.
  std::variant<ConnectionSlot, ConnectionRefusal> TryAdmit(const boost::asio::ip::address& peer);
  std::size_t Open() const;
  std::size_t OpenFrom(const boost::asio::ip::address& peer) const;
  const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  std::shared_ptr<ConnectionSlot::State> state_;
};

// An IPv4-mapped IPv6 address as the IPv4 address it is (one client, one key).
boost::asio::ip::address CanonicalPeer(const boost::asio::ip::address& peer);

}  // namespace hotplex::api
