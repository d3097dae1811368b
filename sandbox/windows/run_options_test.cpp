#include "sandbox/windows/run_options.hpp"

#include <gtest/gtest.h>

namespace hotplex::sandbox::win32 {
namespace {

TEST(WinRunOptions, ParsesLimitsAndCommand) {
  auto o = ParseWinRunOptions({"--workdir", "C:\\w", "--memory", "64M", "--pids=8", "--cpu", "1.5",
                               "--wall-time", "30s", "--", "prog", "-x"},
                              {});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->spec.workdir, "C:\\w");
  EXPECT_EQ(o->spec.limits.memory_bytes, 64ull << 20);
  EXPECT_EQ(o->spec.limits.pids, 8u);
  EXPECT_DOUBLE_EQ(o->spec.limits.cpu_cores, 1.5);
  EXPECT_EQ(o->spec.limits.wall_time, std::chrono::seconds(30));
  EXPECT_EQ(o->spec.argv, (std::vector<std::string>{"prog", "-x"}));
}

TEST(WinRunOptions, EnvironmentIsMinimalPlusFlags) {
  auto o = ParseWinRunOptions({"--env", "A=1", "--env", "secret", "--", "prog"},
                              {"SystemRoot=D:\\win", "SECRET=x", "OTHER=y"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->spec.env,
            (std::vector<std::string>{"SystemRoot=D:\\win", "windir=D:\\win",
                                      "PATH=D:\\win\\system32;D:\\win", "A=1", "secret=x"}));
}

TEST(WinRunOptions, RejectsBadInput) {
  const std::vector<std::vector<std::string>> bad = {
      {},                               // no command
      {"--memory", "lots", "--", "p"},  // bad size
      {"--pids", "many", "--", "p"},    // bad number
      {"--net", "none", "--", "p"},     // no network control on Windows
      {"--env", "=x", "--", "p"},       // empty name
      {"--env", "MISSING", "--", "p"},  // not in the host environment
      {"--wall-time"},                  // missing value
  };
  for (const auto& args : bad)
    EXPECT_FALSE(ParseWinRunOptions(args, {})) << ::testing::PrintToString(args);
}

}  // namespace
}  // namespace hotplex::sandbox::win32
