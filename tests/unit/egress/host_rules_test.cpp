// HostRules: allow/deny patterns for the egress proxy and WebFetch.
#include "policies/host_rules.hpp"

#include <gtest/gtest.h>

namespace hotplex::policies {
namespace {

struct MatchCase {
  const char* pattern;
  const char* host;
  std::uint16_t port;
  bool matches;
};

class HostPatternMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(HostPatternMatch, Matches) {
  const MatchCase& c = GetParam();
  auto pattern = ParseHostPattern(c.pattern);
  ASSERT_TRUE(pattern) << pattern.error().Describe();
  EXPECT_EQ(PatternMatches(*pattern, c.host, c.port), c.matches)
      << c.pattern << " vs " << c.host << ":" << c.port;
}

INSTANTIATE_TEST_SUITE_P(HostRules, HostPatternMatch,
                         ::testing::Values(
                             // exact names, any port
                             MatchCase{"example.com", "example.com", 443, true},
                             MatchCase{"example.com", "example.com", 8080, true},
                             MatchCase{"example.com", "www.example.com", 443, false},
                             MatchCase{"example.com", "badexample.com", 443, false},
                             MatchCase{"example.com", "example.com.evil.org", 443, false},
                             // wildcard: subdomains only
                             MatchCase{"*.example.com", "a.example.com", 443, true},
                             MatchCase{"*.example.com", "a.b.example.com", 443, true},
                             MatchCase{"*.example.com", "example.com", 443, false},
                             MatchCase{"*.example.com", "badexample.com", 443, false},
                             MatchCase{"*.example.com", ".example.com", 443, false},
                             // ports
                             MatchCase{"example.com:443", "example.com", 443, true},
                             MatchCase{"example.com:443", "example.com", 80, false},
                             MatchCase{"*.example.com:8443", "api.example.com", 8443, true},
                             MatchCase{"*.example.com:8443", "api.example.com", 443, false},
                             // case and trailing dots
                             MatchCase{"Example.COM", "example.com", 443, true},
                             MatchCase{"example.com", "EXAMPLE.com.", 443, true},
                             MatchCase{"example.com.", "example.com", 443, true},
                             MatchCase{"*.example.com", "API.Example.Com.", 443, true},
                             // IP literals: exact only, never through a wildcard
                             MatchCase{"127.0.0.1:8080", "127.0.0.1", 8080, true},
                             MatchCase{"127.0.0.1:8080", "127.0.0.1", 8081, false},
                             MatchCase{"127.0.0.1", "127.0.0.2", 80, false},
                             MatchCase{"*.0.0.1", "127.0.0.1", 80, false},
                             MatchCase{"localhost:9000", "localhost", 9000, true},
                             MatchCase{"localhost:9000", "[::1]", 9000, false}));

class HostPatternInvalid : public ::testing::TestWithParam<const char*> {};

TEST_P(HostPatternInvalid, IsAnError) { EXPECT_FALSE(ParseHostPattern(GetParam())) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(HostRules, HostPatternInvalid,
                         ::testing::Values("", "*.", "*", "example..com", ".example.com",
                                           "example.com:0", "example.com:65536", "example.com:",
                                           "example.com:http", "exa mple.com", "user@example.com",
                                           "http://example.com", "example.com/path",
                                           "**.example.com", "*.*.example.com"));

TEST(HostRules, DenyWinsOverAllow) {
  auto rules = HostRules::Build({"*.example.com", "example.com"}, {"secret.example.com"});
  ASSERT_TRUE(rules);
  HostVerdict v = rules->Decide("secret.example.com", 443);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule, "network.deny_domains");
  EXPECT_EQ(v.matched, "secret.example.com");
  v = rules->Decide("api.example.com", 443);
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.matched, "*.example.com");
}

TEST(HostRules, NothingIsAllowedByDefault) {
  auto rules = HostRules::Build({}, {});
  ASSERT_TRUE(rules);
  const HostVerdict v = rules->Decide("example.com", 443);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule, "network.allow_domains");
  EXPECT_EQ(v.matched, "");
}

TEST(HostRules, BuildReportsABadPattern) {
  auto rules = HostRules::Build({"example.com", "bad host"}, {});
  ASSERT_FALSE(rules);
  EXPECT_NE(rules.error().message.find("bad host"), std::string::npos);
}

TEST(HostRules, ParseHostPortNeedsAPort) {
  auto ok = ParseHostPort("Gateway.Internal:8443");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->host, "gateway.internal");
  EXPECT_EQ(ok->port, 8443);
  EXPECT_FALSE(ParseHostPort("gateway.internal"));
  EXPECT_FALSE(ParseHostPort("gateway.internal:0"));
  EXPECT_FALSE(ParseHostPort("*.internal:80"));
  EXPECT_FALSE(ParseHostPort(":80"));
}

}  // namespace
}  // namespace hotplex::policies
