// HMAC-SHA-256 against the RFC 4231 test vectors (cases 1-4, 6, 7 in full;
// case 5's truncated output as a prefix), and the constant-time MAC comparison.
#include "supervisor/audit/hmac_sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hotplex::supervisor {
namespace {

struct Vector {
  const char* name;
  std::string key;
  std::string data;
  const char* mac;  // hex; a prefix for the truncated case
};

std::string Range(int from, int to) {
  std::string out;
  for (int b = from; b <= to; ++b) out += static_cast<char>(b);
  return out;
}

class Rfc4231 : public ::testing::TestWithParam<Vector> {};

TEST_P(Rfc4231, MatchesTheRfc) {
  const std::string mac = HmacSha256Hex(GetParam().key, GetParam().data);
  EXPECT_EQ(mac.substr(0, std::string(GetParam().mac).size()), GetParam().mac);
  EXPECT_EQ(mac.size(), 64u);
}

INSTANTIATE_TEST_SUITE_P(
    Hmac, Rfc4231,
    ::testing::Values(
        Vector{"Case1", std::string(20, '\x0b'), "Hi There",
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        Vector{"Case2", "Jefe", "what do ya want for nothing?",
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        Vector{"Case3", std::string(20, '\xaa'), std::string(50, '\xdd'),
               "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        Vector{"Case4", Range(0x01, 0x19), std::string(50, '\xcd'),
               "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        Vector{"Case5Truncated", std::string(20, '\x0c'), "Test With Truncation",
               "a3b6167473100ee06e0c796c2955552b"},
        Vector{"Case6LongKey", std::string(131, '\xaa'),
               "Test Using Larger Than Block-Size Key - Hash Key First",
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        Vector{"Case7LongKeyAndData", std::string(131, '\xaa'),
               "This is a test using a larger than block-size key and a larger than block-size "
               "data. The key needs to be hashed before being used by the HMAC algorithm.",
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MacEqual, ComparesWholeValues) {
  EXPECT_TRUE(MacEqual("abc", "abc"));
  EXPECT_FALSE(MacEqual("abc", "abd"));
  EXPECT_FALSE(MacEqual("abc", "ab"));
  EXPECT_TRUE(MacEqual("", ""));
}

}  // namespace
}  // namespace hotplex::supervisor
