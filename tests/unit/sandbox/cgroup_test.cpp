// Cgroup path and file handling for both versions, on a fake cgroupfs made of
// plain files (the real kernel paths are covered by the integration tests).
#include "sandbox/cgroup.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace hotplex::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void Touch(const fs::path& p, const std::string& content = "") {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << content;
}

class FakeCgroupFs : public ::testing::Test {
 protected:
  hotplex::testing::TempDir tmp_{"hotplex-cgfs"};
  const fs::path root_ = tmp_.Path();
};

TEST(CgroupValues, CpuMaxIsQuotaAndPeriod) {
  EXPECT_EQ(CpuMaxValue(1.5), "150000 100000");
  EXPECT_EQ(CpuMaxValue(2), "200000 100000");
  EXPECT_EQ(CpuMaxValue(0.001), "1000 100000");  // the kernel's minimum quota
}

TEST_F(FakeCgroupFs, V2WritesLimitsAndKillsThroughCgroupKill) {
  const fs::path group = root_ / "hotplex";
  const fs::path dir = group / "sandbox-a";
  Touch(root_ / "cgroup.subtree_control");
  Touch(group / "cgroup.subtree_control");
  for (const char* f :
       {"memory.max", "memory.swap.max", "pids.max", "cpu.max", "cgroup.kill", "cgroup.procs"}) {
    Touch(dir / f);
  }
  Touch(dir / "memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n");
  CgroupLayout layout{2, group.string(), "hotplex"};
  Limits limits;
  limits.memory_bytes = 64ull << 20;
  limits.pids = 50;
  limits.cpu_cores = 1.5;
  {
    auto cgroup = CreateCgroup(layout, "sandbox-a", limits);
    ASSERT_TRUE(cgroup) << cgroup.error().Describe();
    EXPECT_EQ((*cgroup)->Version(), 2);
    EXPECT_GE((*cgroup)->DirFd(), 0);
    EXPECT_EQ((*cgroup)->Paths(), std::vector<std::string>{dir.string()});
    EXPECT_EQ((*cgroup)->OomKills(), 2u);
    EXPECT_EQ(Slurp(dir / "memory.max"), std::to_string(64ull << 20));
    EXPECT_EQ(Slurp(dir / "memory.swap.max"), "0");
    EXPECT_EQ(Slurp(dir / "pids.max"), "50");
    EXPECT_EQ(Slurp(dir / "cpu.max"), "150000 100000");
    EXPECT_EQ(Slurp(group / "cgroup.subtree_control")[0], '+');
  }
  EXPECT_EQ(Slurp(dir / "cgroup.kill"), "1");  // the destructor killed the group
}

TEST_F(FakeCgroupFs, V2UnlimitedWritesNoLimitFiles) {
  const fs::path dir = root_ / "hotplex" / "sandbox-b";
  Touch(dir / "cgroup.kill");
  CgroupLayout layout{2, (root_ / "hotplex").string(), "hotplex"};
  auto cgroup = CreateCgroup(layout, "sandbox-b", Limits{0, 0, 0, 0, {}});
  ASSERT_TRUE(cgroup) << cgroup.error().Describe();
  EXPECT_FALSE(fs::exists(dir / "memory.max"));
  EXPECT_FALSE(fs::exists(dir / "pids.max"));
}

TEST_F(FakeCgroupFs, V2MissingControllerIsAClearError) {
  // No cgroup.subtree_control files: the memory controller cannot be enabled.
  CgroupLayout layout{2, (root_ / "hotplex").string(), "hotplex"};
  Limits limits;
  limits.memory_bytes = 1 << 20;
  auto cgroup = CreateCgroup(layout, "sandbox-c", limits);
  ASSERT_FALSE(cgroup);
  EXPECT_THAT(cgroup.error().Describe(), HasSubstr("controller 'memory'"));
}

TEST_F(FakeCgroupFs, V1UsesOneDirectoryPerController) {
  for (const char* c : {"memory", "pids", "cpu", "freezer"}) {
    const fs::path dir = root_ / c / "hotplex" / "sandbox-d";
    for (const char* f : {"cgroup.procs", "memory.limit_in_bytes", "pids.max", "cpu.cfs_period_us",
                          "cpu.cfs_quota_us", "freezer.state"}) {
      Touch(dir / f);
    }
  }
  Touch(root_ / "memory/hotplex/sandbox-d/memory.oom_control",
        "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  CgroupLayout layout{1, root_.string(), "hotplex"};
  Limits limits;
  limits.memory_bytes = 128ull << 20;
  limits.pids = 10;
  limits.cpu_cores = 0.5;
  {
    auto cgroup = CreateCgroup(layout, "sandbox-d", limits);
    ASSERT_TRUE(cgroup) << cgroup.error().Describe();
    EXPECT_EQ((*cgroup)->Version(), 1);
    EXPECT_EQ((*cgroup)->DirFd(), -1);
    EXPECT_EQ((*cgroup)->Paths().size(), 4u);
    EXPECT_EQ((*cgroup)->OomKills(), 1u);
    // A pid above pid_max: kill() of it is harmless ESRCH.
    ASSERT_TRUE((*cgroup)->AddProcess(999999999));
    for (const char* c : {"memory", "pids", "cpu", "freezer"}) {
      EXPECT_EQ(Slurp(root_ / c / "hotplex/sandbox-d/cgroup.procs"), "999999999") << c;
    }
  }
  const fs::path base = root_ / "%s" / "hotplex/sandbox-d";
  EXPECT_EQ(Slurp(root_ / "memory/hotplex/sandbox-d/memory.limit_in_bytes"),
            std::to_string(128ull << 20));
  EXPECT_EQ(Slurp(root_ / "pids/hotplex/sandbox-d/pids.max"), "10");
  EXPECT_EQ(Slurp(root_ / "cpu/hotplex/sandbox-d/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Slurp(root_ / "cpu/hotplex/sandbox-d/cpu.cfs_quota_us"), "50000");
  // Kill froze, killed and thawed the group.
  EXPECT_EQ(Slurp(root_ / "freezer/hotplex/sandbox-d/freezer.state").substr(0, 6), "THAWED");
}

TEST_F(FakeCgroupFs, DetectsV2ByItsControllers) {
  Touch(root_ / "cgroup.controllers", "cpuset cpu io memory pids\n");
  auto layout = DetectCgroupLayout(root_.string(), 0);
  ASSERT_TRUE(layout) << layout.error().Describe();
  EXPECT_EQ(layout->version, 2);
  EXPECT_EQ(layout->root, root_.string());
}

TEST_F(FakeCgroupFs, DetectsV1ByItsHierarchies) {
  for (const char* c : {"memory", "pids", "cpu", "freezer"}) Touch(root_ / c / "cgroup.procs");
  auto layout = DetectCgroupLayout(root_.string(), 0);
  ASSERT_TRUE(layout) << layout.error().Describe();
  EXPECT_EQ(layout->version, 1);
  EXPECT_EQ(layout->root, root_.string());
}

TEST_F(FakeCgroupFs, NoHierarchyIsAClearError) {
  auto layout = DetectCgroupLayout(root_.string(), 0);
  ASSERT_FALSE(layout);
  EXPECT_THAT(layout.error().Describe(), HasSubstr("no usable cgroup hierarchy"));
}

TEST_F(FakeCgroupFs, RejectsNamesThatEscapeTheRoot) {
  CgroupLayout layout{2, root_.string(), "hotplex"};
  for (const char* bad : {"", "../x", "a/b", ".hidden"}) {
    EXPECT_FALSE(CreateCgroup(layout, bad, Limits{})) << bad;
  }
}

}  // namespace
}  // namespace hotplex::sandbox
