// ConnectionLimiter: caps per listener and per client address, RAII slots.
#include "api/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hotplex::api {
namespace {

namespace ip = boost::asio::ip;

ip::address Ip(const char* text) { return ip::make_address(text); }

ConnectionSlot Admit(ConnectionLimiter& limiter, const char* peer) {
  auto admitted = limiter.TryAdmit(Ip(peer));
  EXPECT_TRUE(std::holds_alternative<ConnectionSlot>(admitted)) << peer;
  return std::holds_alternative<ConnectionSlot>(admitted)
             ? std::move(std::get<ConnectionSlot>(admitted))
             : ConnectionSlot();
}

std::optional<ConnectionRefusal> RefusalOf(ConnectionLimiter& limiter, const char* peer) {
  auto admitted = limiter.TryAdmit(Ip(peer));
  if (auto* why = std::get_if<ConnectionRefusal>(&admitted)) return *why;
  return std::nullopt;
}

TEST(ConnectionLimiter, PerAddressCapRefusesOnlyThatAddress) {
  ConnectionLimiter limiter({10, 2});
  auto a1 = Admit(limiter, "127.0.0.1");
  auto a2 = Admit(limiter, "127.0.0.1");
  EXPECT_EQ(RefusalOf(limiter, "127.0.0.1"), ConnectionRefusal::kAddressFull);
  auto b1 = Admit(limiter, "127.0.0.2");
  EXPECT_EQ(limiter.Open(), 3u);
  EXPECT_EQ(limiter.OpenFrom(Ip("127.0.0.1")), 2u);
}

TEST(ConnectionLimiter, ListenerCapRefusesEveryone) {
  ConnectionLimiter limiter({3, 2});
  std::vector<ConnectionSlot> slots;
  for (const char* peer : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
    slots.push_back(Admit(limiter, peer));
  }
  EXPECT_EQ(RefusalOf(limiter, "10.0.0.4"), ConnectionRefusal::kListenerFull);
  EXPECT_EQ(std::string(RefusalName(ConnectionRefusal::kListenerFull)), "listener_full");
}

TEST(ConnectionLimiter, SlotsGiveTheirPlaceBackWhenDestroyedOrMoved) {
  ConnectionLimiter limiter({2, 1});
  {
    auto slot = Admit(limiter, "127.0.0.1");
    ConnectionSlot moved = std::move(slot);  // one place, held once
    EXPECT_EQ(limiter.Open(), 1u);
    EXPECT_EQ(RefusalOf(limiter, "127.0.0.1"), ConnectionRefusal::kAddressFull);
    moved = Admit(limiter, "127.0.0.2");  // the old place goes back first
    EXPECT_EQ(limiter.Open(), 1u);
    EXPECT_EQ(limiter.OpenFrom(Ip("127.0.0.1")), 0u);
  }
  EXPECT_EQ(limiter.Open(), 0u);
  EXPECT_EQ(limiter.OpenFrom(Ip("127.0.0.2")), 0u);
}

TEST(ConnectionLimiter, SlotMayOutliveTheLimiter) {
  ConnectionSlot slot;
  {
    ConnectionLimiter limiter({1, 1});
    slot = Admit(limiter, "::1");
  }
  // Destroying it now touches only the shared state (no use after free under ASan).
  slot = ConnectionSlot();
  SUCCEED();
}

TEST(ConnectionLimiter, V4MappedAddressesCountAsTheirV4Address) {
  ConnectionLimiter limiter({10, 1});
  auto v4 = Admit(limiter, "192.0.2.7");
  EXPECT_EQ(RefusalOf(limiter, "::ffff:192.0.2.7"), ConnectionRefusal::kAddressFull);
  EXPECT_EQ(CanonicalPeer(Ip("::ffff:192.0.2.7")).to_string(), "192.0.2.7");
}

TEST(ConnectionLimiter, ZeroCapsAreRaisedToOne) {
  ConnectionLimiter limiter({0, 0});
  auto slot = Admit(limiter, "127.0.0.1");
  EXPECT_EQ(RefusalOf(limiter, "127.0.0.2"), ConnectionRefusal::kListenerFull);
}

}  // namespace
}  // namespace hotplex::api
