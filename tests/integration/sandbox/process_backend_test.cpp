// The unsafe development backend: no namespaces, but a host uid, its own
// process group and cgroup, no_new_privs, seccomp, nothing left behind.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;

class ProcessBackendTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    auto backend = MakeProcessBackend();
    ASSERT_TRUE(backend) << backend.error().Describe();
    backend_ = std::move(*backend);
  }
  SandboxSpec ProcessSpec(std::vector<std::string> argv) const {
    SandboxSpec spec = Spec(std::move(argv));
    spec.mounts.clear();
    spec.network = NetworkMode::kHost;
    return spec;
  }
};

TEST_F(ProcessBackendTest, RunsAsHostUserWithoutPrivileges) {
  auto r = Run(ProcessSpec(
      {"/bin/sh", "-c",
       "id -u; id -G; grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status; pwd"}));
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited) << r.outcome.Describe() << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::to_string(kTestUid) + "\n" + std::to_string(kTestGid) + "\n"));
  EXPECT_THAT(r.out, HasSubstr("CapEff:\t0000000000000000"));
  EXPECT_THAT(r.out, HasSubstr("NoNewPrivs:\t1"));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2"));
  EXPECT_THAT(r.out, HasSubstr(workdir_));
}

TEST_F(ProcessBackendTest, EnvironmentIsOnlyTheSpecs) {
  ::setenv("HOTPLEX_TEST_SECRET", "s3cr3t", 1);
  auto spec = ProcessSpec({"/usr/bin/env"});
  spec.env = {"ONLY=this"};
  auto r = Run(spec);
  EXPECT_EQ(r.out, "ONLY=this\n");
}

TEST_F(ProcessBackendTest, MemoryLimitAndOomOutcome) {
  auto spec = ProcessSpec({HOTPLEX_BINARY_DIR "/tests/bin/sandbox-probe", "hog"});
  spec.limits.memory_bytes = 64ull << 20;
  auto r = Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kOomKilled) << r.outcome.Describe();
}

TEST_F(ProcessBackendTest, NothingSurvivesTheSandbox) {
  const std::string marker = "1000.4242" + std::to_string(::getpid() % 1000);
  auto r =
      Run(ProcessSpec({"/bin/sh", "-c", "setsid sleep " + marker + " >/dev/null 2>&1 & echo ok"}));
  EXPECT_EQ(r.out, "ok\n");
  // The cgroup kill on exit took the daemonized grandchild too.
  for (int i = 0; i < 50 && CountHostProcesses(marker) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(CountHostProcesses(marker), 0);
}

TEST_F(ProcessBackendTest, RefusesWhatItCannotIsolate) {
  auto with_mount = Spec({"/bin/true"});
  with_mount.network = NetworkMode::kHost;
  auto launched = backend_->Launch(with_mount);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("cannot apply mounts"));
  auto isolated_net = ProcessSpec({"/bin/true"});
  isolated_net.network = NetworkMode::kNone;
  launched = backend_->Launch(isolated_net);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("no network namespace"));
  auto root = ProcessSpec({"/bin/true"});
  root.identity.host_uid = 0;
  EXPECT_FALSE(backend_->Launch(root));
}

}  // namespace
}  // namespace hotplex::sandbox::testing
