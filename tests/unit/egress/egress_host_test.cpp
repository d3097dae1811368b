// ParseEgressAuthority / ParseEgressPort: a proxy request's authority becomes
// one canonical target (host, port) or an error naming the problem.
#include "supervisor/egress/egress_host.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

using namespace std::string_literals;

struct PortCase {
  std::string text;
  int port;  // 0: refused
};

class EgressPort : public ::testing::TestWithParam<PortCase> {};

TEST_P(EgressPort, IsDecimalOneTo65535) {
  const PortCase& c = GetParam();
  auto port = ParseEgressPort(c.text);
  if (c.port == 0) {
    EXPECT_FALSE(port) << "'" << c.text << "' became " << *port;
  } else {
    ASSERT_TRUE(port) << c.text << ": " << port.error().Describe();
    EXPECT_EQ(*port, c.port);
  }
}

INSTANTIATE_TEST_SUITE_P(EgressHost, EgressPort,
                         ::testing::Values(PortCase{"1", 1}, PortCase{"80", 80},
                                           PortCase{"080", 80}, PortCase{"65535", 65535},
                                           PortCase{"0", 0}, PortCase{"65536", 0},
                                           PortCase{"+1", 0}, PortCase{"-1", 0}, PortCase{" 80", 0},
                                           PortCase{"80 ", 0}, PortCase{"0x50", 0}, PortCase{"", 0},
                                           PortCase{"000080", 0}, PortCase{"99999999999", 0},
                                           PortCase{"80\0"s, 0}, PortCase{"8\xd9\xa0", 0}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

struct AuthorityCase {
  std::string authority;
  std::uint16_t default_port;
  const char* expect;  // the target's Authority(), or a part of the error
  bool ok;
};

class EgressAuthority : public ::testing::TestWithParam<AuthorityCase> {};

TEST_P(EgressAuthority, ParsesStrictly) {
  const AuthorityCase& c = GetParam();
  auto target = ParseEgressAuthority(c.authority, c.default_port);
  if (c.ok) {
    ASSERT_TRUE(target) << c.authority << ": " << target.error().Describe();
    EXPECT_EQ(target->Authority(), c.expect);
  } else {
    ASSERT_FALSE(target) << policies::EscapeHostForLog(c.authority) << " became "
                         << target->Authority();
    EXPECT_NE(target.error().message.find(c.expect), std::string::npos) << target.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    EgressHost, EgressAuthority,
    ::testing::Values(AuthorityCase{"Api.Example.Test.:443", 0, "api.example.test:443", true},
                      AuthorityCase{"a.example.test", 80, "a.example.test:80", true},
                      AuthorityCase{"127.0.0.1:8080", 0, "127.0.0.1:8080", true},
                      AuthorityCase{"[::1]:8443", 0, "[::1]:8443", true},
                      AuthorityCase{"[::1]", 80, "[::1]:80", true},
                      AuthorityCase{"localhost\0.example.test:80"s, 0, "control byte (0x00)",
                                    false},
                      AuthorityCase{"localhost%00.example.test:80", 0, "percent-encoding", false},
                      AuthorityCase{"a@b.example.test:80", 0, "userinfo", false},
                      AuthorityCase{"a.example.test", 0, "explicit port", false},
                      AuthorityCase{"a.example.test:", 0, "port ''", false},
                      AuthorityCase{"a.example.test:0", 0, "1 to 65535", false},
                      AuthorityCase{"a.example.test:65536", 0, "1 to 65535", false},
                      AuthorityCase{"a.example.test:+1", 0, "1 to 65535", false},
                      AuthorityCase{"a.example.test: 80", 0, "1 to 65535", false},
                      AuthorityCase{":443", 0, "names no host", false},
                      AuthorityCase{"::1:443", 0, "in brackets", false},
                      AuthorityCase{"[::1", 0, "unbalanced", false},
                      AuthorityCase{"[::1]x", 0, "unbalanced", false},
                      AuthorityCase{"a..example.test:80", 0, "empty label", false},
                      AuthorityCase{"2130706433:80", 0, "dotted-quad", false}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(EgressHost, HostHeaderOmitsTheDefaultPort) {
  auto target = ParseEgressAuthority("A.Example.Test", 80);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->HostHeader(80), "a.example.test");
  target = ParseEgressAuthority("[2001:db8::1]:8080", 80);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->HostHeader(80), "[2001:db8::1]:8080");
}

}  // namespace
}  // namespace hotplex::supervisor
