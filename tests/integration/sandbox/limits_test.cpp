// Resource limits: pids, memory, wall time, CPU.
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "sandbox_harness.hpp"


namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST_F(SandboxTest, ForkStopsAtPidsLimit) {
  auto spec = Spec({kProbe, "forkbomb"});
  spec.limits.pids = 32;
  auto r = Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited) << r.outcome.Describe();
  // init and the probe count too, so fewer than 32 forks succeed.
  EXPECT_THAT(r.out, MatchesRegex("forked [0-9]+ then EAGAIN\n"));
  EXPECT_LT(std::stoi(r.out.substr(7)), 32);
  EXPECT_TRUE(HostCanSpawn());
}

TEST_F(SandboxTest, ShellForkBombIsContainedAndHostStaysHealthy) {
  auto spec = Spec({"/bin/bash", "-c", "bomb() { bomb | bomb & }; bomb; sleep 30"});
  spec.limits.pids = 64;
  spec.limits.wall_time = std::chrono::seconds(3);
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_TRUE(HostCanSpawn());
  const Outcome outcome = sandbox->Wait();
  ::close(out_fd);
  EXPECT_EQ(outcome.kind, OutcomeKind::kTimedOut) << outcome.Describe();
  EXPECT_TRUE(HostCanSpawn());
}

TEST_F(SandboxTest, WallTimeLimitKills) {
  auto spec = Spec({"/bin/sleep", "30"});
  spec.limits.wall_time = std::chrono::milliseconds(300);
  auto r = Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kTimedOut);
  EXPECT_EQ(r.outcome.ShellExitCode(), 124);
}

TEST_F(SandboxTest, CpuQuotaIsWritten) {
  // The quota itself is the kernel's business; prove it is set for the sandbox's cgroup.
  auto spec = Spec({"/bin/sh", "-c", "cat /proc/self/cgroup"});
  spec.limits.cpu_cores = 0.5;
  spec.id = "cpuquota" + std::to_string(::getpid());
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  const std::string v1 = "/sys/fs/cgroup/cpu/hotplex/sandbox-" + spec.id + "/cpu.cfs_quota_us";
  const std::string v2 = "/sys/fs/cgroup/hotplex/sandbox-" + spec.id + "/cpu.max";
  std::string quota;
  for (const auto& path : {v1, v2}) {
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      char buf[64] = {};
      std::fgets(buf, sizeof buf, f);
      std::fclose(f);
      quota = buf;
    }
  }
  sandbox->Wait();
  ::close(out_fd);
  EXPECT_THAT(quota, ::testing::AnyOf(HasSubstr("50000"), HasSubstr("50000 100000")));
}

}  // namespace
}  // namespace hotplex::sandbox::testing
