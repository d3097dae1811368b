// The isolation suite, one set of tests with the backend as a parameter. Each
// backend's test binary instantiates every suite with its fixture:
//   INSTANTIATE_TYPED_TEST_SUITE_P(Namespace, BackendConformance, SandboxTest);
// Suites: BackendConformance (here: hostname, network opt-in, /tmp, memory, open
// files, exit codes), BackendIsolation (conformance_isolation.hpp), BackendLifecycle
// and BackendLimits (conformance_lifecycle.hpp). Where a backend differs by design
// the test reads a trait of the fixture (SandboxTest's kShadowError, ...); only
// backend mechanics (cgroup files, container labels) stay in that backend's files.
#pragma once

#include <unistd.h>

#include <cerrno>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {

template <class Fixture>
class BackendConformance : public Fixture {};

TYPED_TEST_SUITE_P(BackendConformance);

using ::testing::HasSubstr;

TYPED_TEST_P(BackendConformance, HostnameDiffers) {
  auto spec = this->Spec({"/bin/hostname"});
  spec.id = "abc123def456";
  auto r = this->Run(spec);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "hotplex-abc123def456\n");
}

TYPED_TEST_P(BackendConformance, NetworkHostIsOptIn) {
  auto spec =
      this->Spec({"/bin/sh", "-c", "cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' ' | sort"});
  spec.network = NetworkMode::kHost;
  auto r = this->Run(spec);
  ExpectExit0(r);
  EXPECT_NE(r.out, "lo\n");
}

TYPED_TEST_P(BackendConformance, TmpIsPrivate) {
  const std::string marker = "hotplex-private-tmp-" + std::to_string(::getpid());
  auto r = this->Run({"/bin/sh", "-c", "touch /tmp/" + marker + " && ls /tmp"});
  ExpectExit0(r);
  EXPECT_THAT(r.out, HasSubstr(marker));
  EXPECT_NE(::access(("/tmp/" + marker).c_str(), F_OK), 0);
}

TYPED_TEST_P(BackendConformance, MemoryHogIsReportedAsOomKilled) {
  auto spec = this->Spec({kProbe, "hog"});
  spec.limits.memory_bytes = 64ull << 20;
  auto r = this->Run(spec);
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kOomKilled) << r.outcome.Describe() << r.out;
  EXPECT_EQ(r.outcome.ShellExitCode(), 137);
  EXPECT_EQ(r.outcome.Describe(), "killed: out of memory (limit 64 MiB)");
}

TYPED_TEST_P(BackendConformance, OpenFilesLimitApplies) {
  auto spec = this->Spec({"/bin/sh", "-c", "ulimit -n"});
  spec.limits.open_files = 77;
  auto r = this->Run(spec);
  EXPECT_EQ(r.out, "77\n");
}

TYPED_TEST_P(BackendConformance, ExitCodePassesThrough) {
  auto r = this->Run({"/bin/sh", "-c", "exit 42"});
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited);
  EXPECT_EQ(r.outcome.ShellExitCode(), 42);
}

TYPED_TEST_P(BackendConformance, MissingWorkdirIsAClearError) {
  auto spec = this->Spec({"/bin/true"});
  spec.workdir = this->workdir_ + "/does-not-exist";
  auto launched = this->backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("does-not-exist"));
  EXPECT_EQ(launched.error().sys_errno, ENOENT);
}

REGISTER_TYPED_TEST_SUITE_P(BackendConformance, HostnameDiffers, NetworkHostIsOptIn, TmpIsPrivate,
                            MemoryHogIsReportedAsOomKilled, OpenFilesLimitApplies,
                            ExitCodePassesThrough, MissingWorkdirIsAClearError);

}  // namespace hotplex::sandbox::testing
