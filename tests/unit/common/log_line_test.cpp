#include "common/log_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex {
namespace {

using ::testing::MatchesRegex;

TEST(LogLine, EveryLineHasTheSameShape) {
  const std::string text = FormatLogLine(LogLevel::kWarn, "audit", "audit witness unreadable",
                                         {{"error", "gone"}, {"count", 3}});
  ASSERT_EQ(text.find('\n'), std::string::npos) << text;
  const auto line = nlohmann::json::parse(text);
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["component"], "audit");
  EXPECT_EQ(line["msg"], "audit witness unreadable");
  EXPECT_EQ(line["error"], "gone");
  EXPECT_EQ(line["count"], 3);
  EXPECT_THAT(line["ts"].get<std::string>(),
              MatchesRegex(R"(20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+\.[0-9]{3}Z)"));
}

TEST(LogLine, TheFixedKeysWinOverFieldsAndBadTextIsReplaced) {
  const std::string text =
      FormatLogLine(LogLevel::kError, "api", "bad \xff byte\nsecond line", {{"level", "info"}});
  ASSERT_EQ(text.find('\n'), std::string::npos) << text;  // a newline in msg stays escaped
  const auto line = nlohmann::json::parse(text);          // valid UTF-8 JSON
  EXPECT_EQ(line["level"], "error");
  EXPECT_NE(line["msg"].get<std::string>().find("second line"), std::string::npos);
}

TEST(LogLine, WritesOneLineToStderr) {
  testing::TempDir dir("hotplex-log");
  const std::string path = dir.Path() + "/stderr";
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ASSERT_NE(std::freopen(path.c_str(), "w", stderr), nullptr);
  LogLine(LogLevel::kInfo, "serve", "open file limit", {{"soft", 1024}});
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  const std::string written = testing::ReadFile(path);
  ASSERT_FALSE(written.empty());
  EXPECT_EQ(written.back(), '\n');
  EXPECT_EQ(written.find('\n'), written.size() - 1) << written;
  EXPECT_EQ(nlohmann::json::parse(written)["soft"], 1024);
}

}  // namespace
}  // namespace hotplex
