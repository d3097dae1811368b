// How sandboxes start, end and fail: outcomes, signals, survivors, zombies,
// cgroups removed, setup errors that name their step.
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

std::string UniqueSleep() {
  std::mt19937 rng{std::random_device{}()};
  return "1000." + std::to_string(100000 + rng() % 800000);
}

TEST_F(SandboxTest, SignalDeathIsReported) {
  auto r = Run({"/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kSignaled);
  EXPECT_EQ(r.outcome.code, SIGSEGV);
  EXPECT_EQ(r.outcome.ShellExitCode(), 128 + SIGSEGV);
}

TEST_F(SandboxTest, DaemonizedGrandchildDoesNotOutliveSandbox) {
  const std::string duration = UniqueSleep();
  auto r = Run({"/bin/sh", "-c", "setsid sleep " + duration + " > /dev/null 2>&1 & sleep 0.2; echo started"});
  EXPECT_EQ(r.out, "started\n");
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited);
  // The pid namespace died with its init; give the kernel a moment to reap.
  for (int i = 0; i < 50 && CountHostProcesses(duration) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(CountHostProcesses(duration), 0);
}

TEST_F(SandboxTest, ZombiesAreReaped) {
  auto r = Run({kProbe, "zombies"});
  EXPECT_EQ(r.out, "zombies 0\n");
}

TEST_F(SandboxTest, SigtermIsForwardedToPayload) {
  auto spec = Spec({"/bin/bash", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; sleep 20 & wait"});
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  char buf[6] = {};
  ASSERT_EQ(::read(out_fd, buf, 6), 6);  // "ready\n": the trap is installed
  sandbox->Signal(SIGTERM);
  const Outcome outcome = sandbox->Wait();
  const std::string rest = ReadAll(out_fd);
  ::close(out_fd);
  EXPECT_EQ(outcome.kind, OutcomeKind::kExited) << outcome.Describe();
  EXPECT_EQ(outcome.code, 7);
  EXPECT_EQ(rest, "got-term\n");
}

TEST_F(SandboxTest, KillEndsEverything) {
  const std::string duration = UniqueSleep();
  auto spec = Spec({"/bin/sh", "-c", "sleep " + duration + " & sleep " + duration});
  spec.id = "kill" + std::to_string(::getpid());
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(CountHostProcesses(duration), 1);
  sandbox->Kill();
  EXPECT_EQ(sandbox->Wait().kind, OutcomeKind::kKilled);
  sandbox.reset();
  ::close(out_fd);
  EXPECT_EQ(CountHostProcesses(duration), 0);
}

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

TEST_F(SandboxTest, SymlinkWorkdirIsRefused) {
  const std::string link = workdir_ + "-link";
  ASSERT_EQ(::symlink(workdir_.c_str(), link.c_str()), 0);
  auto spec = Spec({"/bin/true"});
  spec.workdir = link;
  auto launched = backend_->Launch(spec);
  ::unlink(link.c_str());
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("symlink"));
}

TEST_F(SandboxTest, MissingMountSourceIsAClearError) {
  auto spec = Spec({"/bin/true"});
  spec.mounts.push_back({"/nonexistent/hotplex", "/data", MountMode::kReadOnly});
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("/nonexistent/hotplex"));
}

TEST_F(SandboxTest, HostRootIdentityIsRefused) {
  auto spec = Spec({"/bin/true"});
  spec.identity.host_uid = 0;
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("host root"));
}

TEST_F(SandboxTest, ExtraMountsAreReadOnlyUnlessRw) {
  const std::string data = MakeTempDir("hotplex-data", kTestUid, kTestGid);
  auto spec = Spec({"/bin/sh", "-c", "touch /ro/x 2>/dev/null || echo ro-denied; touch /rw/y && echo rw-ok"});
  spec.mounts.push_back({data, "/ro", MountMode::kReadOnly});
  spec.mounts.push_back({data, "/rw", MountMode::kReadWrite});
  auto r = Run(spec);
  EXPECT_EQ(r.out, "ro-denied\nrw-ok\n");
  EXPECT_EQ(::access((data + "/y").c_str(), F_OK), 0);
  RemoveTree(data);
}

TEST_F(SandboxTest, ExtraDeniedSyscallApplies) {
  auto spec = Spec({"/bin/sh", "-c", "mkdir d && echo made"});
  spec.extra_denied_syscalls = {"mkdir", "mkdirat"};
  auto r = Run(spec);
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  spec.extra_denied_syscalls = {"no_such_syscall"};
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("no_such_syscall"));
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
