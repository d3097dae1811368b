// ResolveConnectionCaps and the config keys behind it.
#include "supervisor/connection_caps.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

TEST(ConnectionCaps, AutoApiCapIsHalfTheFileLimitAtMost4096) {
  HttpSettings http;
  EXPECT_EQ(ResolveConnectionCaps(http, 256).api.total, 128u);
  EXPECT_EQ(ResolveConnectionCaps(http, 1u << 20).api.total, 4096u);
  http.max_connections = 10000;  // explicit wins
  EXPECT_EQ(ResolveConnectionCaps(http, 256).api.total, 10000u);
}

TEST(ConnectionCaps, AdminCapIsBoundedByTheFileLimit) {
  HttpSettings http;
  EXPECT_EQ(ResolveConnectionCaps(http, 1u << 20).admin.total, 128u);
  EXPECT_EQ(ResolveConnectionCaps(http, 256).admin.total, 32u);
  EXPECT_EQ(ResolveConnectionCaps(http, 16).admin.total, 8u);
}

TEST(ConnectionCaps, PerAddressCapNeverAboveTheListenerCap) {
  HttpSettings http;
  http.max_connections = 10;
  const auto caps = ResolveConnectionCaps(http, 1u << 20);
  EXPECT_EQ(caps.api.per_address, 10u);
  EXPECT_EQ(caps.admin.per_address, 64u);
}

TEST(ConnectionCaps, OneAddressGetsHalfOfACapDerivedFromTheFileLimit) {
  HttpSettings http;  // per address 256 / 64 by default
  const auto small = ResolveConnectionCaps(http, 256);
  EXPECT_EQ(small.api.total, 128u);
  EXPECT_EQ(small.api.per_address, 64u);
  EXPECT_EQ(small.admin.total, 32u);
  EXPECT_EQ(small.admin.per_address, 16u);
  const auto large = ResolveConnectionCaps(http, 1u << 20);
  EXPECT_EQ(large.api.per_address, 256u);
  EXPECT_EQ(large.admin.per_address, 64u);
  http.max_connections = 100;  // set by the operator: one address may use it all
  http.max_connections_per_ip = 1000;
  EXPECT_EQ(ResolveConnectionCaps(http, 256).api.per_address, 100u);
}

TEST(ConnectionCaps, ConfigKeysParseAndZeroCapsAreRefused) {
  auto ok = ParseDaemonConfig(
      "http:\n  max_connections: 100\n  max_connections_per_ip: 5\n"
      "  admin_max_connections: 7\n  admin_max_connections_per_ip: 3\n"
      "audit:\n  auth_failure_window: 2s\n  auth_failure_sources: 9\n",
      "t.yaml");
  ASSERT_TRUE(ok) << ok.error().Describe();
  EXPECT_EQ(ok->http.max_connections, 100u);
  EXPECT_EQ(ok->http.max_connections_per_ip, 5u);
  EXPECT_EQ(ok->http.admin_max_connections, 7u);
  EXPECT_EQ(ok->http.admin_max_connections_per_ip, 3u);
  EXPECT_EQ(ok->audit.auth_failure_window, std::chrono::milliseconds(2000));
  EXPECT_EQ(ok->audit.auth_failure_sources, 9u);
  auto zero = ParseDaemonConfig("http:\n  max_connections_per_ip: 0\n", "t.yaml");
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("t.yaml:2:"), std::string::npos) << zero.error().message;
  EXPECT_NE(zero.error().message.find("http.max_connections_per_ip: expected an integer in 1.."),
            std::string::npos)
      << zero.error().message;
}

}  // namespace
}  // namespace hotplex::supervisor
