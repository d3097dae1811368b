#include "supervisor/gateway/token_registry.hpp"

#include <gtest/gtest.h>

#include <set>

namespace hotplex::gateway {
namespace {

TEST(TokenRegistry, TokenIsBoundToItsSession) {
  TokenRegistry registry;
  auto a = registry.Issue("s-a", "team-a");
  auto b = registry.Issue("s-b", "team-b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), TokenRegistry::kPrefix.size() + 64);
  EXPECT_TRUE(a->starts_with(TokenRegistry::kPrefix));
  auto grant = registry.Verify("s-a", *a);
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->session_id, "s-a");
  EXPECT_EQ(grant->tenant, "team-a");
  EXPECT_FALSE(registry.Verify("s-a", *b)) << "another session's token";
  EXPECT_FALSE(registry.Verify("s-b", *a));
  EXPECT_FALSE(registry.Verify("s-unknown", *a));
}

TEST(TokenRegistry, RefusesNearMisses) {
  TokenRegistry registry;
  const std::string token = *registry.Issue("s", "t");
  std::string flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  for (const std::string& wrong : {std::string(), token.substr(0, token.size() - 1), token + "0",
                                   flipped, std::string(TokenRegistry::kPrefix)}) {
    EXPECT_FALSE(registry.Verify("s", wrong)) << wrong;
  }
}

TEST(TokenRegistry, RevokeAndReissue) {
  TokenRegistry registry;
  const std::string first = *registry.Issue("s", "t");
  const std::string second = *registry.Issue("s", "t");
  EXPECT_NE(first, second);
  EXPECT_FALSE(registry.Verify("s", first)) << "a re-issued token replaces the old one";
  registry.Revoke("s", first);  // a stale owner does not revoke the new token
  EXPECT_TRUE(registry.Verify("s", second));
  registry.Revoke("s");
  EXPECT_FALSE(registry.Verify("s", second));
  EXPECT_EQ(registry.Size(), 0u);
}

TEST(TokenRegistry, TokensAreDistinct) {
  TokenRegistry registry;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(*registry.Issue("s" + std::to_string(i), "t"));
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace hotplex::gateway
