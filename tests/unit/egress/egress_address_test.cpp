// Which resolved addresses a name rule may reach: never the host's loopback,
// link-local, unspecified or own interface addresses.
#include "supervisor/egress/egress_address.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

namespace ip = boost::asio::ip;

struct KindCase {
  const char* address;
  const char* kind;
};

class EgressAddressKind : public ::testing::TestWithParam<KindCase> {};

TEST_P(EgressAddressKind, Classifies) {
  const KindCase& c = GetParam();
  const std::vector<ip::address> host{ip::make_address("10.1.2.3"),
                                      ip::make_address("2001:db8::5")};
  EXPECT_EQ(InternalAddressKind(ip::make_address(c.address), host), c.kind) << c.address;
}

INSTANTIATE_TEST_SUITE_P(
    EgressAddress, EgressAddressKind,
    ::testing::Values(KindCase{"127.0.0.1", "loopback"}, KindCase{"127.5.6.7", "loopback"},
                      KindCase{"::1", "loopback"}, KindCase{"::ffff:127.0.0.1", "loopback"},
                      KindCase{"0.0.0.0", "unspecified"}, KindCase{"0.1.2.3", "unspecified"},
                      KindCase{"::", "unspecified"}, KindCase{"169.254.169.254", "link-local"},
                      KindCase{"::ffff:169.254.1.1", "link-local"},
                      KindCase{"fe80::1", "link-local"},
                      KindCase{"10.1.2.3", "an address of this host"},
                      KindCase{"2001:db8::5", "an address of this host"},
                      KindCase{"93.184.216.34", ""}, KindCase{"10.1.2.4", ""},
                      KindCase{"2001:db8::6", ""}));

TEST(EgressAddress, NameRulesKeepOnlyOutsideAddresses) {
  const std::vector<ip::tcp::endpoint> resolved{{ip::make_address("127.0.0.1"), 80},
                                                {ip::make_address("93.184.216.34"), 80},
                                                {ip::make_address("169.254.169.254"), 80}};
  const NameRuleEndpoints split = FilterForNameRule(resolved, {});
  ASSERT_EQ(split.allowed.size(), 1u);
  EXPECT_EQ(split.allowed[0].address().to_string(), "93.184.216.34");
  EXPECT_EQ(split.refused, "127.0.0.1 (loopback)");
}

TEST(EgressAddress, HostAddressesIncludeLoopback) {
  const auto addresses = HostAddresses();
  EXPECT_NE(std::find(addresses.begin(), addresses.end(), ip::make_address("127.0.0.1")),
            addresses.end());
}

}  // namespace
}  // namespace hotplex::supervisor
