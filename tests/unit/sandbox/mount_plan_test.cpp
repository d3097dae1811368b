#include "sandbox/mount_plan.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace hotplex::sandbox {
namespace {

using ::testing::HasSubstr;

class MountPlanTest : public ::testing::Test {
 protected:
  void SetUp() override { spec_.workdir = dir_; }

  const MountOp* Find(const MountPlan& plan, const std::string& target) {
    for (const auto& op : plan.Ops()) {
      if (op.target == std::string(kNewRoot) + target) return &op;
    }
    return nullptr;
  }

  hotplex::testing::TempDir tmp_{"hotplex-plan"};
  const std::string dir_ = tmp_.Path();
  SandboxSpec spec_;
};

TEST_F(MountPlanTest, WorkdirIsBoundReadWriteAtTheSamePath) {
  auto plan = MountPlan::Build(spec_, "hotplex-x");
  ASSERT_TRUE(plan) << plan.error().Describe();
  const MountOp* op = Find(*plan, dir_);
  ASSERT_NE(op, nullptr);
  // Attached from a pinned fd, never bound by its path in the child.
  EXPECT_EQ(op->kind, MountOpKind::kAttachTree);
  EXPECT_EQ(op->source, dir_);
  EXPECT_GE(op->dir_fd, 0);
  EXPECT_FALSE(op->read_only);
  EXPECT_EQ(plan->WorkdirInside(), dir_);
}

TEST_F(MountPlanTest, APinnedWorkdirIsUsedAndItsPathNeverOpened) {
  const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  spec_.workdir_fd = std::make_shared<const UniqueFd>(fd);
  spec_.workdir = "/nonexistent-display-only";
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan) << plan.error().Describe();
  const MountOp* op = Find(*plan, "/nonexistent-display-only");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->dir_fd, fd);
}

TEST_F(MountPlanTest, CloneTreesMakesOneDetachedMountPerPinnedDirectory) {
  ASSERT_EQ(::geteuid(), 0u) << "open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN: run as root";
  spec_.home_source = dir_;
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan);
  ASSERT_TRUE(plan->CloneTrees());
  EXPECT_EQ(plan->TreeFds().size(), 2u);
  for (const MountOp& op : plan->Ops()) {
    if (op.kind == MountOpKind::kAttachTree) {
      EXPECT_GE(op.tree_fd, 0) << op.Describe();
    }
  }
}

TEST_F(MountPlanTest, SystemIsReadOnlyAndEtcIsMinimal) {
  auto plan = MountPlan::Build(spec_, "hotplex-x");
  ASSERT_TRUE(plan);
  const MountOp* usr = Find(*plan, "/usr");
  ASSERT_NE(usr, nullptr);
  EXPECT_TRUE(usr->read_only);
  const MountOp* passwd = Find(*plan, "/etc/passwd");
  ASSERT_NE(passwd, nullptr);
  EXPECT_EQ(passwd->kind, MountOpKind::kWriteFile);
  EXPECT_THAT(passwd->data, HasSubstr("agent:x:1000:1000:"));
  EXPECT_EQ(Find(*plan, "/etc/shadow"), nullptr);
  EXPECT_THAT(Find(*plan, "/etc/hosts")->data, HasSubstr("hotplex-x"));
}

TEST_F(MountPlanTest, ProcHasReadOnlySubtreesAndDevIsMinimal) {
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan);
  ASSERT_NE(Find(*plan, "/proc"), nullptr);
  EXPECT_EQ(Find(*plan, "/proc/sys")->kind, MountOpKind::kBindSelfRo);
  for (const char* entry : {"/proc/sysrq-trigger", "/proc/irq", "/proc/bus"}) {
    // Kernels without sysrq have no trigger file; whatever the host has is covered.
    if (::access(entry, F_OK) != 0) continue;
    const MountOp* op = Find(*plan, entry);
    ASSERT_NE(op, nullptr) << entry;
    EXPECT_EQ(op->kind, MountOpKind::kBindSelfRo) << entry;
  }
  ASSERT_NE(Find(*plan, "/dev/null"), nullptr);
  EXPECT_TRUE(Find(*plan, "/dev/null")->allow_devices);
  EXPECT_EQ(Find(*plan, "/dev/pts")->kind, MountOpKind::kDevpts);
  EXPECT_EQ(Find(*plan, "/dev/sda"), nullptr);
  EXPECT_EQ(Find(*plan, "/dev/shm")->kind, MountOpKind::kTmpfs);
}

TEST_F(MountPlanTest, ParentsAreMountedBeforeChildren) {
  spec_.workdir_inside = "/tmp/work";
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan);
  const auto& ops = plan->Ops();
  auto index = [&](const std::string& t) {
    return std::find_if(ops.begin(), ops.end(),
                        [&](const MountOp& o) { return o.target == kNewRoot + t; }) -
           ops.begin();
  };
  EXPECT_LT(index("/tmp"), index("/tmp/work"));
}

TEST_F(MountPlanTest, HomeIsTmpfsOrABoundDirectory) {
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan);
  EXPECT_EQ(Find(*plan, "/home/agent")->kind, MountOpKind::kTmpfs);
  spec_.home_source = dir_;
  plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan);
  EXPECT_EQ(Find(*plan, "/home/agent")->kind, MountOpKind::kAttachTree);
  EXPECT_FALSE(Find(*plan, "/home/agent")->read_only);
}

TEST_F(MountPlanTest, ExtraMountsAreReadOnlyByDefault) {
  spec_.mounts.push_back({dir_, "/data", MountMode::kReadOnly});
  spec_.mounts.push_back({dir_, "/out", MountMode::kReadWrite});
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_TRUE(plan);
  EXPECT_TRUE(Find(*plan, "/data")->read_only);
  EXPECT_FALSE(Find(*plan, "/out")->read_only);
}

TEST_F(MountPlanTest, RefusesSymlinkedWorkdir) {
  const std::string link = dir_ + "/link";
  ASSERT_EQ(::mkdir((dir_ + "/real").c_str(), 0755), 0);
  ASSERT_EQ(::symlink((dir_ + "/real").c_str(), link.c_str()), 0);
  spec_.workdir = link;
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().Describe(), HasSubstr("symlink"));
  spec_.workdir = link + "/";  // a trailing slash does not hide it
  EXPECT_FALSE(MountPlan::Build(spec_, "h"));
}

struct BadPath {
  const char* path;
  const char* why;
};

TEST_F(MountPlanTest, RejectsBadWorkdirs) {
  for (const BadPath& c :
       {BadPath{"relative/dir", "absolute"}, BadPath{"/nonexistent-hotplex", "No such file"},
        BadPath{"/etc/hostname", "not a directory"}}) {
    spec_.workdir = c.path;
    auto plan = MountPlan::Build(spec_, "h");
    ASSERT_FALSE(plan) << c.path;
    EXPECT_THAT(plan.error().Describe(), HasSubstr(c.why)) << c.path;
  }
}

TEST_F(MountPlanTest, RejectsBadMountTargets) {
  for (const BadPath& c :
       {BadPath{"relative", "absolute"}, BadPath{"/", "absolute path other than /"},
        BadPath{"/a/../b", "normalised"}, BadPath{"/proc/x", "inside /proc"},
        BadPath{"/etc/shadow", "inside /etc"}, BadPath{"/a//b", "normalised"}}) {
    spec_.mounts = {{dir_, c.path, MountMode::kReadOnly}};
    auto plan = MountPlan::Build(spec_, "h");
    ASSERT_FALSE(plan) << c.path;
    EXPECT_THAT(plan.error().Describe(), HasSubstr(c.why)) << c.path;
  }
}

TEST_F(MountPlanTest, RejectsMissingMountSource) {
  spec_.mounts = {{dir_ + "/missing", "/data", MountMode::kReadOnly}};
  auto plan = MountPlan::Build(spec_, "h");
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().Describe(), HasSubstr("missing"));
}

}  // namespace
}  // namespace hotplex::sandbox
