#include "supervisor/session_id.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

TEST(SessionId, KeyedIdsAreDeterministicPerTenantAndKey) {
  const std::string a = SessionIdForKey("acme", "build-bot");
  EXPECT_EQ(a, SessionIdForKey("acme", "build-bot"));
  EXPECT_NE(a, SessionIdForKey("other", "build-bot"));
  EXPECT_NE(a, SessionIdForKey("acme", "build-bot2"));
  // "<tenant>\n<key>" keeps ("ab","c") and ("a","bc") apart.
  EXPECT_NE(SessionIdForKey("ab", "c"), SessionIdForKey("a", "bc"));
}

TEST(SessionId, KeyedIdsAreVersion5AndRandomIdsVersion4) {
  const std::string v5 = SessionIdForKey("t", "k");
  const std::string v4 = RandomSessionId();
  EXPECT_TRUE(LooksLikeSessionId(v5));
  EXPECT_TRUE(LooksLikeSessionId(v4));
  EXPECT_EQ(v5[14], '5');
  EXPECT_EQ(v4[14], '4');
  EXPECT_NE(std::string("89ab").find(v4[19]), std::string::npos);
  EXPECT_NE(RandomSessionId(), v4);
}

TEST(SessionId, RejectsNonCanonicalText) {
  for (const char* bad : {"", "not-a-uuid", "6B1E3F52-9A0C-4D7E-8F21-5C4490D31A77",
                          "6b1e3f529a0c4d7e8f215c4490d31a77", "../../etc/passwd"}) {
    EXPECT_FALSE(LooksLikeSessionId(bad)) << bad;
  }
}

}  // namespace
}  // namespace hotplex::supervisor
