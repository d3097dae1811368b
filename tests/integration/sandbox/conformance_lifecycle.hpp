// BackendLifecycle and BackendLimits: how sandboxes end (outcomes, signals, no
// survivors, zombies), the setup errors people read, and the pids/wall-time limits,
// on every Linux backend. Backend-specific mechanics (cgroup directories, containers,
// how a missing command is reported) stay in that backend's own test files.
#pragma once

#include <unistd.h>

#include <csignal>
#include <random>
#include <thread>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {

// A sleep duration no other process on the host uses: its processes can be counted.
inline std::string UniqueSleep() {
  std::mt19937 rng{std::random_device{}()};
  return "1000." + std::to_string(100000 + rng() % 800000);
}

template <class Fixture>
class BackendLifecycle : public Fixture {};

TYPED_TEST_SUITE_P(BackendLifecycle);

TYPED_TEST_P(BackendLifecycle, SignalDeathIsReported) {
  auto r = this->Run({"/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kSignaled) << r.outcome.Describe();
  EXPECT_EQ(r.outcome.code, SIGSEGV);
  EXPECT_EQ(r.outcome.ShellExitCode(), 128 + SIGSEGV);
}

TYPED_TEST_P(BackendLifecycle, DaemonizedGrandchildDoesNotOutliveSandbox) {
  const std::string duration = UniqueSleep();
  auto r = this->Run({"/bin/sh", "-c",
                      "setsid sleep " + duration + " > /dev/null 2>&1 & sleep 0.2; echo started"});
  EXPECT_EQ(r.out, "started\n");
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited);
  // The sandbox's pid namespace died with its init; give the kernel a moment to reap.
  for (int i = 0; i < 100 && CountHostProcesses(duration) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(CountHostProcesses(duration), 0);
}

TYPED_TEST_P(BackendLifecycle, ZombiesAreReaped) {
  auto r = this->Run({kProbe, "zombies"});
  EXPECT_EQ(r.out, "zombies 0\n");
}

TYPED_TEST_P(BackendLifecycle, SigtermIsForwardedToPayload) {
  auto spec = this->Spec(
      {"/bin/bash", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; sleep 20 & wait"});
  int out_fd = -1;
  auto sandbox = this->Start(spec, &out_fd);
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

TYPED_TEST_P(BackendLifecycle, KillEndsEverything) {
  const std::string duration = UniqueSleep();
  auto spec = this->Spec({"/bin/sh", "-c", "sleep " + duration + " & sleep " + duration});
  spec.id = "kill" + std::to_string(::getpid());
  int out_fd = -1;
  auto sandbox = this->Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  for (int i = 0; i < 100 && CountHostProcesses(duration) < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Both sleeps (and, depending on the backend, the shell and the init whose command
  // lines carry the marker too).
  EXPECT_GE(CountHostProcesses(duration), 2);
  EXPECT_GT(sandbox->Pid(), 0);
  sandbox->Kill();
  EXPECT_EQ(sandbox->Wait().kind, OutcomeKind::kKilled);
  sandbox.reset();
  ::close(out_fd);
  EXPECT_EQ(CountHostProcesses(duration), 0);
}

TYPED_TEST_P(BackendLifecycle, HostRootIdentityIsRefused) {
  auto spec = this->Spec({"/bin/true"});
  spec.identity.host_uid = 0;
  auto launched = this->backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), ::testing::HasSubstr("root"));
}

TYPED_TEST_P(BackendLifecycle, SymlinkWorkdirIsRefused) {
  const std::string link = this->workdir_ + "-link";
  ASSERT_EQ(::symlink(this->workdir_.c_str(), link.c_str()), 0);
  auto spec = this->Spec({"/bin/true"});
  spec.workdir = link;
  auto launched = this->backend_->Launch(spec);
  ::unlink(link.c_str());
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), ::testing::HasSubstr("symlink"));
}

TYPED_TEST_P(BackendLifecycle, MissingMountSourceIsAClearError) {
  auto spec = this->Spec({"/bin/true"});
  spec.mounts.push_back({"/nonexistent/hotplex", "/data", MountMode::kReadOnly});
  auto launched = this->backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), ::testing::HasSubstr("/nonexistent/hotplex"));
}

TYPED_TEST_P(BackendLifecycle, ExtraMountsAreReadOnlyUnlessRw) {
  const std::string data = MakeTempDir("hotplex-data", kTestUid, kTestGid);
  auto spec = this->Spec(
      {"/bin/sh", "-c", "touch /ro/x 2>/dev/null || echo ro-denied; touch /rw/y && echo rw-ok"});
  spec.mounts.push_back({data, "/ro", MountMode::kReadOnly});
  spec.mounts.push_back({data, "/rw", MountMode::kReadWrite});
  auto r = this->Run(spec);
  EXPECT_EQ(r.out, "ro-denied\nrw-ok\n") << r.err;
  EXPECT_EQ(::access((data + "/y").c_str(), F_OK), 0);
  RemoveTree(data);
}

TYPED_TEST_P(BackendLifecycle, ExtraDeniedSyscallApplies) {
  auto spec = this->Spec({"/bin/sh", "-c", "mkdir d && echo made"});
  spec.extra_denied_syscalls = {"mkdir", "mkdirat"};
  auto r = this->Run(spec);
  EXPECT_THAT(r.err, ::testing::HasSubstr("Operation not permitted"));
  EXPECT_EQ(r.out, "");
  spec.extra_denied_syscalls = {"no_such_syscall"};
  auto launched = this->backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), ::testing::HasSubstr("no_such_syscall"));
}

REGISTER_TYPED_TEST_SUITE_P(BackendLifecycle, SignalDeathIsReported,
                            DaemonizedGrandchildDoesNotOutliveSandbox, ZombiesAreReaped,
                            SigtermIsForwardedToPayload, KillEndsEverything,
                            HostRootIdentityIsRefused, SymlinkWorkdirIsRefused,
                            MissingMountSourceIsAClearError, ExtraMountsAreReadOnlyUnlessRw,
                            ExtraDeniedSyscallApplies);

template <class Fixture>
class BackendLimits : public Fixture {};

TYPED_TEST_SUITE_P(BackendLimits);

TYPED_TEST_P(BackendLimits, ForkStopsAtPidsLimit) {
  auto spec = this->Spec({kProbe, "forkbomb"});
  spec.limits.pids = 32;
  auto r = this->Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited) << r.outcome.Describe();
  // init and the probe count too, so fewer than 32 forks succeed.
  EXPECT_THAT(r.out, ::testing::MatchesRegex("forked [0-9]+ then EAGAIN\n"));
  EXPECT_LT(std::stoi(r.out.substr(7)), 32);
  EXPECT_TRUE(HostCanSpawn());
}

TYPED_TEST_P(BackendLimits, ShellForkBombIsContainedAndHostStaysHealthy) {
  auto spec = this->Spec({"/bin/bash", "-c", "bomb() { bomb | bomb & }; bomb; sleep 30"});
  spec.limits.pids = 64;
  spec.limits.wall_time = std::chrono::seconds(3);
  int out_fd = -1;
  auto sandbox = this->Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_TRUE(HostCanSpawn());
  const Outcome outcome = sandbox->Wait();
  ::close(out_fd);
  EXPECT_EQ(outcome.kind, OutcomeKind::kTimedOut) << outcome.Describe();
  EXPECT_TRUE(HostCanSpawn());
}

TYPED_TEST_P(BackendLimits, WallTimeLimitKills) {
  auto spec = this->Spec({"/bin/sleep", "30"});
  spec.limits.wall_time = std::chrono::milliseconds(300);
  auto r = this->Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kTimedOut) << r.outcome.Describe();
  EXPECT_EQ(r.outcome.ShellExitCode(), 124);
}

REGISTER_TYPED_TEST_SUITE_P(BackendLimits, ForkStopsAtPidsLimit,
                            ShellForkBombIsContainedAndHostStaysHealthy, WallTimeLimitKills);

}  // namespace hotplex::sandbox::testing
