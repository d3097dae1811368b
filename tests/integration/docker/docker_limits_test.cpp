// The CPU quota as the docker backend sets it (NanoCpus, read back from the
// container's cgroup). The shared limits are in the conformance suites.
#include "docker_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;

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
