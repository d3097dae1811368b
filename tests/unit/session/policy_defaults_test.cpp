// SessionPolicy's defaults are the policy file's (policies/policy_spec.hpp):
// a hand-built SessionPolicy and an empty policy file mean the same limits.
#include <gtest/gtest.h>

#include "policies/policy_spec.hpp"
#include "supervisor/session_policy.hpp"

namespace hotplex::supervisor {
namespace {

TEST(PolicyDefaults, SessionPolicyDefaultsAreThePolicyFilesDefaults) {
  const SessionPolicy p;
  const policies::SandboxSection s;
  EXPECT_EQ(p.max_sessions, s.limits.max_sessions);
  EXPECT_EQ(p.max_prompt_bytes, s.limits.max_prompt_bytes);
  EXPECT_EQ(p.idle_timeout, s.limits.idle_timeout);
  EXPECT_EQ(p.ask_timeout, s.ask_timeout);
  EXPECT_EQ(p.seccomp, s.seccomp);
  EXPECT_EQ(p.limits.memory_bytes, s.limits.memory_bytes);
  EXPECT_EQ(p.limits.pids, s.limits.pids);
  EXPECT_EQ(p.limits.open_files, s.limits.open_files);
  EXPECT_EQ(p.limits.wall_time, s.limits.wall_time);
}

TEST(PolicyDefaults, ToSandboxLimitsCopiesEveryField) {
  policies::LimitsSpec spec;
  spec.memory_bytes = 123;
  spec.pids = 7;
  spec.cpu_cores = 1.5;
  spec.open_files = 99;
  spec.wall_time = std::chrono::milliseconds(4242);
  const sandbox::Limits limits = ToSandboxLimits(spec);
  EXPECT_EQ(limits.memory_bytes, 123u);
  EXPECT_EQ(limits.pids, 7u);
  EXPECT_EQ(limits.cpu_cores, 1.5);
  EXPECT_EQ(limits.open_files, 99u);
  EXPECT_EQ(limits.wall_time, std::chrono::milliseconds(4242));
}

}  // namespace
}  // namespace hotplex::supervisor
