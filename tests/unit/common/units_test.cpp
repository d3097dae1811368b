#include "common/units.hpp"

#include <gtest/gtest.h>

namespace hotplex {
namespace {

TEST(Units, ParsesByteSizes) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("512"), 512u);
  EXPECT_EQ(*ParseByteSize("64k"), 64u << 10);
  EXPECT_EQ(*ParseByteSize("512M"), 512ull << 20);
  EXPECT_EQ(*ParseByteSize("1GiB"), 1ull << 30);
  EXPECT_EQ(*ParseByteSize("2GB"), 2ull << 30);
  EXPECT_EQ(*ParseByteSize("1T"), 1ull << 40);
}

TEST(Units, RejectsBadByteSizes) {
  for (const char* bad :
       {"", "M", "12X", "-1", "1.5G", "1MiBs", "99999999999999999999", "20000000T"}) {
    auto r = ParseByteSize(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("expected"), std::string::npos) << r.error().message;
  }
}

TEST(Units, ParsesDurations) {
  EXPECT_EQ(ParseDuration("30s")->count(), 30'000);
  EXPECT_EQ(ParseDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseDuration("5m")->count(), 300'000);
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5'400'000);
  EXPECT_EQ(ParseDuration("10")->count(), 10'000);
}

TEST(Units, RejectsBadDurations) {
  for (const char* bad : {"", "s", "10x", "1.5s", "-3s", "3s5", "99999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
}

TEST(Units, ParsesCpu) {
  EXPECT_DOUBLE_EQ(*ParseCpuCores("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(*ParseCpuCores("2"), 2.0);
  for (const char* bad : {"", "0", "-1", "abc", "1.5x", "5000"})
    EXPECT_FALSE(ParseCpuCores(bad)) << bad;
}

TEST(Units, FormatsSizes) {
  EXPECT_EQ(FormatByteSize(64ull << 20), "64 MiB");
  EXPECT_EQ(FormatByteSize(512), "512 B");
  EXPECT_EQ(FormatByteSize(1536ull << 20), "1.5 GiB");
}

}  // namespace
}  // namespace hotplex
