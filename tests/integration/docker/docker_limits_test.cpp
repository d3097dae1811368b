// Resource limits on the docker backend: pids, memory, wall time, open files, CPU.
#include <sys/wait.h>

#include <thread>

#include "docker_harness.hpp"


namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST_F(DockerSandboxTest, ForkStopsAtPidsLimit) {
  auto spec = Spec({kProbe, "forkbomb"});
  spec.limits.pids = 32;
  auto r = Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited) << r.outcome.Describe();
  EXPECT_THAT(r.out, MatchesRegex("forked [0-9]+ then EAGAIN\n"));
  EXPECT_LT(std::stoi(r.out.substr(7)), 32);
  EXPECT_TRUE(HostCanSpawn());
}

TEST_F(DockerSandboxTest, WallTimeLimitKills) {
  auto spec = Spec({"/bin/sleep", "30"});
  spec.limits.wall_time = std::chrono::milliseconds(300);
  auto r = Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kTimedOut) << r.outcome.Describe();
  EXPECT_EQ(r.outcome.ShellExitCode(), 124);
}

TEST_F(DockerSandboxTest, CpuQuotaIsSet) {
  // The quota is the kernel's business; prove the container's cgroup carries it.
  auto spec =
      Spec({"/bin/sh", "-c",
            "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us"});
  spec.limits.cpu_cores = 0.5;
  auto r = Run(spec);
  EXPECT_THAT(r.out, ::testing::AnyOf(HasSubstr("50000 100000"), ::testing::StartsWith("50000")));
}

}  // namespace
}  // namespace hotplex::sandbox::testing
