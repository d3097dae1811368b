// CanonicalizeHost: the one strict form of a host that the egress rules, the
// audit and the connection use; everything a resolver could read differently
// from the matcher is refused before any rule sees it.
#include <gtest/gtest.h>

#include "policies/host_rules.hpp"

namespace hotplex::policies {
namespace {

using namespace std::string_literals;

// A name of `bytes` bytes made of 60-byte labels.
std::string NameOfBytes(std::size_t bytes) {
  std::string name(bytes, 'a');
  for (std::size_t i = 60; i + 1 < bytes; i += 61) name[i] = '.';
  return name;
}

struct GoodHost {
  std::string input;
  std::string canonical;
  HostKind kind;
};

class CanonicalHostGood : public ::testing::TestWithParam<GoodHost> {};

TEST_P(CanonicalHostGood, IsNormalised) {
  const GoodHost& c = GetParam();
  auto host = CanonicalizeHost(c.input);
  ASSERT_TRUE(host) << c.input << ": " << host.error().Describe();
  EXPECT_EQ(host->name, c.canonical) << c.input;
  EXPECT_EQ(host->kind, c.kind) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    EgressHost, CanonicalHostGood,
    ::testing::Values(
        GoodHost{"example.com", "example.com", HostKind::kName},
        GoodHost{"API.Example.COM", "api.example.com", HostKind::kName},
        GoodHost{"example.com.", "example.com", HostKind::kName},
        GoodHost{"xn--bcher-kva.example.test", "xn--bcher-kva.example.test", HostKind::kName},
        GoodHost{"XN--BCHER-KVA.Example.Test.", "xn--bcher-kva.example.test", HostKind::kName},
        GoodHost{"1e100.net", "1e100.net", HostKind::kName},
        GoodHost{"123.example.test", "123.example.test", HostKind::kName},
        GoodHost{"localhost", "localhost", HostKind::kName},
        GoodHost{std::string(63, 'a') + ".test", std::string(63, 'a') + ".test", HostKind::kName},
        GoodHost{NameOfBytes(253) + ".", NameOfBytes(253), HostKind::kName},
        GoodHost{"127.0.0.1", "127.0.0.1", HostKind::kIpv4},
        GoodHost{"10.1.2.3.", "10.1.2.3", HostKind::kIpv4},
        GoodHost{"[::1]", "::1", HostKind::kIpv6},
        GoodHost{"[0:0:0:0:0:0:0:1]", "::1", HostKind::kIpv6},
        GoodHost{"[2001:DB8::A]", "2001:db8::a", HostKind::kIpv6},
        GoodHost{"[::FFFF:127.0.0.1]", "::ffff:127.0.0.1", HostKind::kIpv6}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

struct BadHost {
  std::string input;
  const char* why;
};

class CanonicalHostBad : public ::testing::TestWithParam<BadHost> {};

TEST_P(CanonicalHostBad, IsRefusedWithTheReason) {
  const BadHost& c = GetParam();
  auto host = CanonicalizeHost(c.input);
  ASSERT_FALSE(host) << EscapeHostForLog(c.input) << " became " << host->name;
  EXPECT_NE(host.error().message.find(c.why), std::string::npos)
      << EscapeHostForLog(c.input) << ": " << host.error().message;
  // The message never carries the raw byte: it is escaped.
  EXPECT_EQ(host.error().message.find('\0'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    EgressHost, CanonicalHostBad,
    ::testing::Values(
        BadHost{"localhost\0.example.test"s, "control byte (0x00)"},
        BadHost{"localhost\0"s, "control byte (0x00)"},
        BadHost{"a\tb.example.test", "control byte (0x09)"},
        BadHost{"a\r\nb.example.test", "control byte (0x0d)"},
        BadHost{"a\x7f.example.test", "control byte (0x7f)"},
        BadHost{"localhost%00.example.test", "percent-encoding"},
        BadHost{"user@a.example.test", "userinfo"}, BadHost{"a b.example.test", "a space"},
        BadHost{"b\xc3\xbc"
                "cher.example.test",
                "punycode"},
        BadHost{"a_b.example.test", "the character '_'"}, BadHost{"a/b", "the character '/'"},
        BadHost{"[example.com]", "the character '['"}, BadHost{"", "is empty"},
        BadHost{".", "is empty"}, BadHost{"example..com", "an empty label"},
        BadHost{".example.com", "an empty label"}, BadHost{"example.com..", "an empty label"},
        BadHost{std::string(64, 'a') + ".test", "longer than 63 bytes"},
        BadHost{NameOfBytes(254), "longer than 253 bytes"},
        BadHost{"-a.example.test", "starts or ends with '-'"},
        BadHost{"a-.example.test", "starts or ends with '-'"},
        BadHost{"2130706433", "not a dotted-quad"}, BadHost{"127.1", "not a dotted-quad"},
        BadHost{"127.0.0.0x1", "not a dotted-quad"}, BadHost{"0x7f.0.0.1", "not a dotted-quad"},
        BadHost{"127.000.0.1", "not a dotted-quad"}, BadHost{"256.0.0.1", "not a dotted-quad"},
        BadHost{"[fe80::1%25eth0]", "zone"}, BadHost{"[::1", "not a valid IPv6"},
        BadHost{"[::g]", "not a valid IPv6"}, BadHost{"a.example.test:80", "not a valid IPv6"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(EgressHost, EscapeForLogShowsEveryByte) {
  EXPECT_EQ(EscapeHostForLog("localhost\0.x\\y\xff"s), "localhost\\x00.x\\x5cy\\xff");
  const std::string escaped = EscapeHostForLog(std::string(1000, 'a'));
  EXPECT_EQ(escaped, std::string(256, 'a') + "...");
}

TEST(EgressHost, RulesNeverMatchARefusedHost) {
  auto rules = HostRules::Build({"*.example.test", "localhost"}, {});
  ASSERT_TRUE(rules);
  // Before: the whole std::string (NUL included) ended with ".example.test".
  EXPECT_FALSE(rules->Decide("localhost\0.example.test"s, 80).allowed);
  EXPECT_FALSE(rules->Decide("localhost%00.example.test", 80).allowed);
  EXPECT_FALSE(rules->Decide("evil@a.example.test", 80).allowed);
  EXPECT_FALSE(rules->Decide("a..example.test", 80).allowed);
  auto pattern = ParseHostPattern("*.example.test");
  ASSERT_TRUE(pattern);
  EXPECT_FALSE(PatternMatches(*pattern, "localhost\0.example.test"s, 80));
  EXPECT_TRUE(rules->Decide("A.Example.Test.", 80).allowed);
  EXPECT_TRUE(rules->Decide("localhost", 80).allowed);  // the name; the address is checked later
}

}  // namespace
}  // namespace hotplex::policies
