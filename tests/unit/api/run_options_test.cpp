#include "api/cli/run_options.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hotplex::cli {
namespace {

using ::testing::HasSubstr;

Result<RunOptions> Parse(std::vector<std::string> args, std::vector<std::string> host_env = {}) {
  args.insert(args.begin(), "run");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseRunOptions(static_cast<int>(argv.size()), argv.data(), host_env);
}

TEST(RunOptions, DefaultsAreClosed) {
  auto o = Parse({"--", "true"});
  ASSERT_TRUE(o) << o.error().Describe();
  EXPECT_EQ(o->spec.argv, std::vector<std::string>{"true"});
  EXPECT_EQ(o->spec.network, sandbox::NetworkMode::kNone);
  EXPECT_EQ(o->spec.limits.memory_bytes, 1ull << 30);
  EXPECT_EQ(o->spec.limits.pids, 256u);
  EXPECT_FALSE(o->workdir.has_value());
  EXPECT_THAT(o->spec.env, ::testing::Contains("HOME=/home/agent"));
  EXPECT_EQ(o->spec.env.size(), 5u);  // PATH HOME USER LOGNAME LANG, nothing inherited
}

TEST(RunOptions, ParsesEveryFlag) {
  auto o = Parse({"--workdir",   "/w",    "--memory", "512M",  "--pids=128", "--cpu",    "1.5",
                  "--wall-time", "30s",   "--net",    "host",  "--mount",    "/a:/b:rw", "--mount",
                  "/c",          "--env", "K=V",      "--env", "FROMHOST",   "--uid",    "1234",
                  "--gid",       "5678",  "--",       "cmd",   "--flag"},
                 {"FROMHOST=yes"});
  ASSERT_TRUE(o) << o.error().Describe();
  EXPECT_EQ(*o->workdir, "/w");
  EXPECT_EQ(o->spec.limits.memory_bytes, 512ull << 20);
  EXPECT_EQ(o->spec.limits.pids, 128u);
  EXPECT_DOUBLE_EQ(o->spec.limits.cpu_cores, 1.5);
  EXPECT_EQ(o->spec.limits.wall_time.count(), 30000);
  EXPECT_EQ(o->spec.network, sandbox::NetworkMode::kHost);
  ASSERT_EQ(o->spec.mounts.size(), 2u);
  EXPECT_EQ(o->spec.mounts[0].target, "/b");
  EXPECT_EQ(o->spec.mounts[0].mode, sandbox::MountMode::kReadWrite);
  EXPECT_EQ(o->spec.mounts[1].mode, sandbox::MountMode::kReadOnly);
  EXPECT_THAT(o->spec.env, ::testing::Contains("K=V"));
  EXPECT_THAT(o->spec.env, ::testing::Contains("FROMHOST=yes"));
  EXPECT_EQ(*o->host_uid, 1234u);
  EXPECT_EQ(o->spec.argv, (std::vector<std::string>{"cmd", "--flag"}));
  EXPECT_TRUE(o->memory_set && o->pids_set && o->cpu_set && o->wall_time_set && o->net_set);
}

TEST(RunOptions, CommandMayFollowFlagsWithoutDoubleDash) {
  auto o = Parse({"--pids", "3", "echo", "hi"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->spec.argv, (std::vector<std::string>{"echo", "hi"}));
}

struct BadArgs {
  std::vector<std::string> args;
  const char* message;
};

TEST(RunOptions, BadInputGetsAClearError) {
  const BadArgs cases[] = {
      {{"--"}, "no command given"},
      {{}, "no command given"},
      {{"--memory", "lots", "--", "x"}, "invalid size 'lots'"},
      {{"--pids", "-1", "--", "x"}, "invalid --pids '-1'"},
      {{"--cpu", "0", "--", "x"}, "invalid cpu amount '0'"},
      {{"--wall-time", "soon", "--", "x"}, "invalid duration 'soon'"},
      {{"--net", "bridge", "--", "x"}, "expected none or host"},
      {{"--mount", "/a:/b:rx", "--", "x"}, "expected ro or rw"},
      {{"--mount", ":/b", "--", "x"}, "expected SRC[:DST[:ro|rw]]"},
      {{"--env", "=x", "--", "x"}, "expected K=V or K"},
      {{"--env", "NOT_IN_HOST", "--", "x"}, "no such variable"},
      {{"--uid", "5", "--", "x"}, "--uid and --gid go together"},
      {{"--bogus", "1", "--", "x"}, "unknown option '--bogus'"},
      {{"--memory"}, "needs a value"},
      {{"--cgroup-version", "3", "--", "x"}, "must be 1 or 2"},
  };
  for (const auto& c : cases) {
    auto o = Parse(c.args);
    ASSERT_FALSE(o) << c.message;
    EXPECT_THAT(o.error().Describe(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace hotplex::cli
