#include "supervisor/tenant_registry.hpp"

#include <gtest/gtest.h>

#include "supervisor/api_key.hpp"

namespace hotplex::supervisor {
namespace {

TEST(ApiKey, GeneratedKeysAreLongAndDistinct) {
  const std::string a = GenerateApiKey();
  EXPECT_EQ(a.rfind("hpx_", 0), 0u);
  EXPECT_EQ(a.size(), 47u);
  EXPECT_NE(a, GenerateApiKey());
}

TEST(ApiKey, HashIsSha256Hex) {
  EXPECT_EQ(HashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TenantRegistry, AuthenticatesByHashedKeyOnly) {
  TenantRegistry registry(
      {{"a", "default", {HashApiKey("key-a")}, "/w/a", 60001, 60001, 0},
       {"b", "team-b", {HashApiKey("key-b1"), HashApiKey("key-b2")}, "/w/b", 60002, 60002, 0}});
  ASSERT_NE(registry.Authenticate("key-a"), nullptr);
  EXPECT_EQ(registry.Authenticate("key-a")->id, "a");
  EXPECT_EQ(registry.Authenticate("key-b2")->id, "b");
  EXPECT_EQ(registry.Authenticate("key-c"), nullptr);
  EXPECT_EQ(registry.Authenticate(""), nullptr);
  // The digest itself is not a key.
  EXPECT_EQ(registry.Authenticate(HashApiKey("key-a")), nullptr);
  EXPECT_EQ(registry.Find("b")->team, "team-b");
  EXPECT_EQ(registry.Find("zz"), nullptr);
}

}  // namespace
}  // namespace hotplex::supervisor
