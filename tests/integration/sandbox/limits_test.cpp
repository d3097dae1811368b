// The CPU quota as the namespace backend writes it (its own cgroup). The shared
// limits (pids, fork bombs, wall time, memory, open files) are in the conformance suites.
#include <unistd.h>

#include <cstdio>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;

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
