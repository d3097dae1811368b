// Namespace-backend specifics of how sandboxes end and fail: cgroups removed, a
// missing command named as a failed execve step, the cgroup v2 path. The shared
// expectations (signals, survivors, zombies, setup errors) are in
// conformance_lifecycle.hpp.
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <random>
#include <thread>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(SandboxTest, CgroupIsRemovedWhenSandboxEnds) {
  auto spec = Spec({"/bin/true"});
  spec.id = "cgclean" + std::to_string(::getpid());
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  const std::string v1 = "/sys/fs/cgroup/memory/hotplex/sandbox-" + spec.id;
  const std::string v2 = "/sys/fs/cgroup/hotplex/sandbox-" + spec.id;
  EXPECT_TRUE(::access(v1.c_str(), F_OK) == 0 || ::access(v2.c_str(), F_OK) == 0);
  sandbox->Wait();
  sandbox.reset();
  ::close(out_fd);
  EXPECT_NE(::access(v1.c_str(), F_OK), 0);
  EXPECT_NE(::access(v2.c_str(), F_OK), 0);
}

TEST_F(SandboxTest, CommandNotFoundNamesExecve) {
  auto r = Run(std::vector<std::string>{"no-such-command-xyz"});
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kSetupFailed);
  EXPECT_EQ(r.outcome.step, "execve");
  EXPECT_EQ(r.outcome.sys_errno, ENOENT);
  EXPECT_EQ(r.outcome.ShellExitCode(), 127);
}

// cgroup v2 code path on this machine's (controller-less) unified hierarchy:
// membership through CLONE_INTO_CGROUP and cgroup.kill.
TEST(SandboxCgroupV2, ClonesIntoCgroupAndKillsThroughCgroupKill) {
  if (::access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) != 0 &&
      ::access("/sys/fs/cgroup/cgroup.kill", F_OK) != 0) {
    FAIL() << "no cgroup v2 hierarchy mounted at /sys/fs/cgroup/unified or /sys/fs/cgroup";
  }
  const std::string base = ::access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0
                               ? "/sys/fs/cgroup/unified/hotplex-test"
                               : "/sys/fs/cgroup/hotplex-test";
  auto backend = MakeNamespaceBackend({base, 2});
  ASSERT_TRUE(backend) << backend.error().Describe();
  const std::string workdir = MakeTempDir("hotplex-v2", kTestUid, kTestGid);
  SandboxSpec spec;
  spec.id = "v2test" + std::to_string(::getpid());
  spec.argv = {"/bin/sh", "-c", "cat /proc/self/cgroup; sleep 30"};
  spec.workdir = workdir;
  spec.identity = {kTestUid, kTestGid, 1000, 1000, "agent"};
  spec.limits = {0, 0, 0, 1024, std::chrono::milliseconds(0)};  // the hierarchy has no controllers
  auto sandbox = (*backend)->Launch(spec);
  ASSERT_TRUE(sandbox) << sandbox.error().Describe();
  std::ifstream procs(base + "/sandbox-" + spec.id + "/cgroup.procs");
  std::string first;
  std::getline(procs, first);
  EXPECT_EQ(std::stoi(first), (*sandbox)->Pid());  // born inside the cgroup
  (*sandbox)->Kill();
  EXPECT_EQ((*sandbox)->Wait().kind, OutcomeKind::kKilled);
  sandbox->reset();
  EXPECT_NE(::access((base + "/sandbox-" + spec.id).c_str(), F_OK), 0);
  ::rmdir(base.c_str());
  RemoveTree(workdir);
}

}  // namespace
}  // namespace hotplex::sandbox::testing
