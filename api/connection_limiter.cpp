#include "api/connection_limiter.hpp"

#include <algorithm>

namespace hotplex::api {
namespace ip = boost::asio::ip;

// Addresses with no open connection are erased, so the map holds at most
// `total` entries.
struct ConnectionSlot::State {
  mutable std::mutex mu;
  std::size_t open = 0;
  std::map<ip::address, std::size_t> by_address;
};

const char* RefusalName(ConnectionRefusal refusal) {
  return refusal == ConnectionRefusal::kListenerFull ? "listener_full" : "address_full";
}

ip::address CanonicalPeer(const ip::address& peer) {
  if (peer.is_v6() && peer.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, peer.to_v6());
  }
  return peer;
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
    address_ = other.address_;
  }
  return *this;
}

void ConnectionSlot::Release() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mu);
    --state_->open;
    auto it = state_->by_address.find(address_);
    if (it != state_->by_address.end() && --it->second == 0) state_->by_address.erase(it);
  }
  state_.reset();
}

// A cap of 0 would refuse everything: the config parser refuses it, this keeps 1.
ConnectionLimiter::ConnectionLimiter(Limits limits)
    : limits_{std::max<std::size_t>(limits.total, 1), std::max<std::size_t>(limits.per_address, 1)},
      state_(std::make_shared<ConnectionSlot::State>()) {}

std::variant<ConnectionSlot, ConnectionRefusal> ConnectionLimiter::TryAdmit(
    const ip::address& peer) {
  const ip::address key = CanonicalPeer(peer);
  std::lock_guard lock(state_->mu);
  if (state_->open >= limits_.total) return ConnectionRefusal::kListenerFull;
  std::size_t& from_peer = state_->by_address[key];
  if (from_peer >= limits_.per_address) return ConnectionRefusal::kAddressFull;
  ++from_peer;
  ++state_->open;
  return ConnectionSlot(state_, key);
}

std::size_t ConnectionLimiter::Open() const {
  std::lock_guard lock(state_->mu);
  return state_->open;
}

std::size_t ConnectionLimiter::OpenFrom(const ip::address& peer) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->by_address.find(CanonicalPeer(peer));
  return it == state_->by_address.end() ? 0 : it->second;
}

}  // namespace hotplex::api
