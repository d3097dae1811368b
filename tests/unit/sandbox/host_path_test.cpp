// host_path: tenant-controlled paths are resolved once, beneath a root, and
// never through a link — with openat2 and with the component walk fallback.
#include "sandbox/host_path.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace hotplex::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kDir = O_RDONLY | O_DIRECTORY;

class HostPathFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hotplex-hostpath-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ + "/root";
    outside_ = base_ + "/outside";
    fs::create_directories(root_ + "/a/b");
    fs::create_directories(outside_);
    auto fd = OpenTrustedDir(root_, false);
    ASSERT_TRUE(fd) << fd.error().Describe();
    root_fd_ = std::move(*fd);
  }
  void TearDown() override { fs::remove_all(base_); }

  void Link(const std::string& target, const std::string& name) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ + "/" + name).c_str()), 0) << name;
  }

  std::string base_, root_, outside_;
  UniqueFd root_fd_;
};

// The parameter picks openat2 (false) or the component walk (true).
class HostPathTest : public HostPathFixture, public ::testing::WithParamInterface<bool> {
 protected:
  Result<UniqueFd> Open(std::string_view rel, int flags = kDir) {
    return GetParam() ? OpenBeneathByWalk(root_fd_.Get(), rel, flags)
                      : OpenBeneath(root_fd_.Get(), rel, flags);
  }
};

TEST_P(HostPathTest, OpensRealDirectoriesBeneathTheRoot) {
  for (const char* rel : {"", ".", "a", "a/b", "a/b/", "./a//b"}) {
    auto fd = Open(rel);
    ASSERT_TRUE(fd) << rel << ": " << fd.error().Describe();
    EXPECT_THAT(PathOfFd(fd->Get()), HasSubstr(root_)) << rel;
  }
}

TEST_P(HostPathTest, RefusesASymlinkInTheMiddleAtTheEndAndWithOPath) {
  Link(outside_, "evil");
  Link(root_ + "/a", "inner");  // even a link that stays inside is refused
  for (const char* rel : {"evil", "evil/", "evil/x", "a/../evil", "inner", "inner/b"}) {
    for (int flags : {kDir, O_PATH, O_PATH | O_DIRECTORY}) {
      auto fd = Open(rel, flags);
      ASSERT_FALSE(fd) << rel << " flags " << flags << " -> " << PathOfFd(fd->Get());
      EXPECT_TRUE(IsHostPathRefusal(fd.error())) << rel << ": " << fd.error().Describe();
    }
  }
}

struct BadRelative {
  std::string path;
  const char* why;
};

TEST_P(HostPathTest, RefusesEscapesAndOverlongPaths) {
  for (const BadRelative& c :
       {BadRelative{"..", "'..'"}, BadRelative{"a/../../outside", "'..'"},
        BadRelative{"/etc", "absolute"}, BadRelative{std::string(5000, 'x'), "limit is"},
        BadRelative{std::string(300, 'y'), "255 bytes"},
        BadRelative{std::string("a\0b", 3), "NUL"}}) {
    auto fd = Open(c.path);
    ASSERT_FALSE(fd) << c.path.substr(0, 40);
    EXPECT_TRUE(IsHostPathRefusal(fd.error())) << fd.error().Describe();
    EXPECT_THAT(fd.error().Describe(), HasSubstr(c.why));
  }
  EXPECT_THAT(ValidateRelativePath(std::string(5000, 'x')).error().Describe(),
              HasSubstr("5000 bytes; the limit is 1024 bytes"));
}

TEST_P(HostPathTest, RefusesMagicLinks) {
  const int held = ::open(outside_.c_str(), kDir | O_CLOEXEC);
  ASSERT_GE(held, 0);
  auto proc = OpenTrustedDir("/proc/" + std::to_string(::getpid()), false);
  ASSERT_TRUE(proc);
  const std::string rel = "fd/" + std::to_string(held);
  auto fd =
      GetParam() ? OpenBeneathByWalk(proc->Get(), rel, kDir) : OpenBeneath(proc->Get(), rel, kDir);
  ::close(held);
  ASSERT_FALSE(fd);
  EXPECT_TRUE(IsHostPathRefusal(fd.error())) << fd.error().Describe();
}

INSTANTIATE_TEST_SUITE_P(Openat2AndWalk, HostPathTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Walk" : "Openat2"; });

using MakeDirsTest = HostPathFixture;

TEST_F(MakeDirsTest, CreatesMissingDirectoriesWithTheOwnerAndMode) {
  struct stat existing_before {};
  ASSERT_EQ(::stat((root_ + "/a").c_str(), &existing_before), 0);
  const DirOwner owner{::geteuid() == 0 ? 60123u : ::geteuid(),
                       ::getegid() == 0 ? 60124u : ::getegid(), 0700};
  auto fd = MakeDirsBeneath(root_fd_.Get(), "a/new/deeper", owner);
  ASSERT_TRUE(fd) << fd.error().Describe();
  for (const char* made : {"/a/new", "/a/new/deeper"}) {
    struct stat st {};
    ASSERT_EQ(::stat((root_ + made).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << made;
    EXPECT_EQ(st.st_uid, owner.uid) << made;
    EXPECT_EQ(st.st_gid, owner.gid) << made;
  }
  struct stat existing {};
  ASSERT_EQ(::stat((root_ + "/a").c_str(), &existing), 0);
  EXPECT_EQ(existing.st_uid, existing_before.st_uid) << "an existing directory is left as it was";
  EXPECT_EQ(existing.st_mode, existing_before.st_mode);
}

TEST_F(MakeDirsTest, NeverCreatesOrChownsThroughALink) {
  Link(outside_, "evil");
  struct stat before {};
  ASSERT_EQ(::stat(outside_.c_str(), &before), 0);
  for (const char* rel : {"evil", "evil/x", "evil/x/y"}) {
    auto fd = MakeDirsBeneath(root_fd_.Get(), rel, DirOwner{60123, 60124, 0700});
    ASSERT_FALSE(fd) << rel;
    EXPECT_TRUE(IsHostPathRefusal(fd.error())) << fd.error().Describe();
  }
  struct stat after {};
  ASSERT_EQ(::stat(outside_.c_str(), &after), 0);
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_TRUE(fs::is_empty(outside_));
}

// A second thread exchanges a real directory and a symlink to `outside` as
// fast as it can; every resolution must land on the real directory or fail.
TEST_F(MakeDirsTest, ConcurrentExchangeNeverLeadsOutside) {
  fs::create_directories(root_ + "/x");
  Link(outside_, "y");
  struct stat outside_st {};
  ASSERT_EQ(::stat(outside_.c_str(), &outside_st), 0);
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!stop && std::chrono::steady_clock::now() < deadline) {
      ::renameat2(root_fd_.Get(), "x", root_fd_.Get(), "y", RENAME_EXCHANGE);
    }
  });
  int landed = 0;
  const DirOwner keep{static_cast<uid_t>(-1), static_cast<gid_t>(-1), 0700};
  auto check = [&](Result<UniqueFd> fd, int i) {
    if (!fd) return;
    struct stat st {};
    ASSERT_EQ(::fstat(fd->Get(), &st), 0);
    ASSERT_FALSE(st.st_dev == outside_st.st_dev && st.st_ino == outside_st.st_ino)
        << "resolved through the link on try " << i;
    ASSERT_THAT(PathOfFd(fd->Get()), HasSubstr(root_));
    ++landed;
  };
  for (int i = 0; i < 3000 && !HasFatalFailure(); ++i) {
    check(OpenBeneath(root_fd_.Get(), "x", kDir), i);
    check(OpenBeneathByWalk(root_fd_.Get(), "x", kDir), i);
    check(MakeDirsBeneath(root_fd_.Get(), "x/sub", keep), i);
  }
  stop = true;
  swapper.join();
  EXPECT_TRUE(fs::is_empty(outside_)) << "something was created through the link";
  EXPECT_GT(landed, 0) << "the real directory was never reached: the test proves nothing";
}

TEST_F(MakeDirsTest, RemoveTreeDeletesEverythingButFollowsNoLink) {
  fs::create_directories(root_ + "/home/a/b/c");
  std::ofstream(root_ + "/home/a/b/c/file") << "x";
  std::ofstream(outside_ + "/keep") << "keep";
  ASSERT_EQ(::symlink(outside_.c_str(), (root_ + "/home/a/to-outside").c_str()), 0);
  ASSERT_EQ(::symlink((outside_ + "/keep").c_str(), (root_ + "/home/keep-link").c_str()), 0);
  ASSERT_TRUE(RemoveTreeBeneath(root_fd_.Get(), "home"));
  EXPECT_FALSE(fs::exists(root_ + "/home"));
  EXPECT_TRUE(fs::exists(outside_ + "/keep")) << "removed through a link";
  // The top itself may be a link: the link goes, its target stays.
  ASSERT_EQ(::symlink(outside_.c_str(), (root_ + "/top").c_str()), 0);
  ASSERT_TRUE(RemoveTreeBeneath(root_fd_.Get(), "top"));
  EXPECT_TRUE(fs::exists(outside_ + "/keep"));
  EXPECT_FALSE(RemoveTreeBeneath(root_fd_.Get(), "../outside"));
  EXPECT_TRUE(RemoveTreeBeneath(root_fd_.Get(), "missing"));
}

TEST(HostPath, RelativeBelowTheRoot) {
  EXPECT_EQ(*RelativeBelow("/ws/a", "/ws/a"), "");
  EXPECT_EQ(*RelativeBelow("/ws/a", "/ws/a/x/y"), "x/y");
  EXPECT_EQ(*RelativeBelow("/ws/a/", "/ws/a/x/"), "x");
  for (const char* bad : {"/ws/ab", "/ws", "/ws/a/../b", "relative"}) {
    auto rel = RelativeBelow("/ws/a", bad);
    ASSERT_FALSE(rel) << bad;
    EXPECT_TRUE(IsHostPathRefusal(rel.error())) << bad;
  }
}

TEST(HostPath, OpenTrustedDirRefusesASymlinkedLastComponent) {
  char tmpl[] = "/tmp/hotplex-trusted-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string base = tmpl;
  ASSERT_EQ(::symlink("/", (base + "/link").c_str()), 0);
  EXPECT_FALSE(OpenTrustedDir(base + "/link", false));
  auto made = OpenTrustedDir(base + "/made/here", true);
  ASSERT_TRUE(made) << made.error().Describe();
  struct stat st {};
  ASSERT_EQ(::fstat(made->Get(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  fs::remove_all(base);
}

TEST(HostPath, CloneMountTreeGivesADetachedNosuidNodevMount) {
  ASSERT_EQ(::geteuid(), 0u) << "open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN: run as root";
  auto dir = OpenTrustedDir("/tmp", false);
  ASSERT_TRUE(dir);
  auto tree = CloneMountTree(dir->Get(), true);
  ASSERT_TRUE(tree) << tree.error().Describe() << " (Linux 5.12+ needed)";
  struct statvfs st {};
  ASSERT_EQ(::fstatvfs(tree->Get(), &st), 0);
  EXPECT_EQ(st.f_flag & (ST_NOSUID | ST_NODEV | ST_RDONLY), ST_NOSUID | ST_NODEV | ST_RDONLY);
  EXPECT_EQ(::fcntl(tree->Get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

}  // namespace
}  // namespace hotplex::sandbox
