// The state dir's trust rule (keys, token, databases: ours, no link, nobody
// else writes them) and its layout (modes set at start).
#include "supervisor/state_dir.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "supervisor/admin_token.hpp"
#include "supervisor/local_tenant.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::supervisor {
namespace {
using ::testing::HasSubstr;

constexpr uid_t kOtherUid = 60093;

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override { state_ = dir_ + "/state"; }

  void Write(const std::string& path, mode_t mode, const std::string& text = "x\n") {
    std::ofstream(path) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  }
  static mode_t Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  hotplex::testing::TempDir tmp_{"hotplex-statedir"};
  const std::string dir_ = tmp_.Path();
  std::string state_;
};

// How a file is spoiled, and what the refusal must say.
struct Spoil {
  const char* name;
  DaemonFileKind kind;
  std::function<void(const std::string&)> apply;
  const char* says;
};

TEST_F(StateDirTest, RefusesWhatOthersCouldHaveWritten) {
  ASSERT_EQ(::geteuid(), 0u) << "the owner cases chown to another uid: run as root (CI does)";
  const std::string target = dir_ + "/target";
  const std::vector<Spoil> spoils = {
      {"secret owned by another uid", DaemonFileKind::kSecret,
       [](const std::string& p) { ASSERT_EQ(::chown(p.c_str(), kOtherUid, kOtherUid), 0); },
       "owned by uid 60093"},
      {"secret 0644", DaemonFileKind::kSecret,
       [](const std::string& p) { ASSERT_EQ(::chmod(p.c_str(), 0644), 0); }, "can read the secret"},
      {"secret 0666", DaemonFileKind::kSecret,
       [](const std::string& p) { ASSERT_EQ(::chmod(p.c_str(), 0666), 0); }, "writable"},
      {"database 0666", DaemonFileKind::kDatabase,
       [](const std::string& p) { ASSERT_EQ(::chmod(p.c_str(), 0666), 0); }, "writable"},
      {"database 0620", DaemonFileKind::kDatabase,
       [](const std::string& p) { ASSERT_EQ(::chmod(p.c_str(), 0620), 0); }, "writable"},
      {"database owned by another uid", DaemonFileKind::kDatabase,
       [](const std::string& p) { ASSERT_EQ(::chown(p.c_str(), kOtherUid, 0), 0); },
       "owned by uid"},
      {"symlink to a good file", DaemonFileKind::kSecret,
       [&](const std::string& p) {
         ::unlink(p.c_str());
         std::ofstream(target) << "x\n";
         ::chmod(target.c_str(), 0600);
         ASSERT_EQ(::symlink(target.c_str(), p.c_str()), 0);
       },
       "symbolic link"},
      {"fifo", DaemonFileKind::kDatabase,
       [](const std::string& p) {
         ::unlink(p.c_str());
         ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
       },
       "not a regular file"},
  };
  for (const auto& spoil : spoils) {
    SCOPED_TRACE(spoil.name);
    const std::string path = dir_ + "/file";
    std::filesystem::remove(path);
    Write(path, 0600);
    spoil.apply(path);
    auto opened = OpenDaemonFile(path, spoil.kind);
    ASSERT_FALSE(opened);
    EXPECT_THAT(opened.error().Describe(), HasSubstr(path));
    EXPECT_THAT(opened.error().Describe(), HasSubstr(spoil.says));
    if (std::string_view(spoil.says) != "not a regular file") {
      EXPECT_THAT(opened.error().Describe(), HasSubstr("chmod 0600 " + path));
    }
  }
}

TEST_F(StateDirTest, AcceptsOwnFilesAndReportsAbsentOnes) {
  Write(dir_ + "/key", 0600);
  auto key = OpenDaemonFile(dir_ + "/key", DaemonFileKind::kSecret);
  ASSERT_TRUE(key) << key.error().Describe();
  EXPECT_TRUE(key->has_value());
  Write(dir_ + "/db", 0644);  // readable: tightened at start, not refused
  EXPECT_TRUE(OpenDaemonFile(dir_ + "/db", DaemonFileKind::kDatabase));
  auto absent = OpenDaemonFile(dir_ + "/none", DaemonFileKind::kSecret);
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());
}

TEST_F(StateDirTest, PrepareCreatesTheLayoutWithItsModes) {
  ASSERT_TRUE(PrepareStateDir(state_));
  EXPECT_EQ(Mode(state_), 0711u);
  EXPECT_EQ(Mode(state_ + "/workspaces"), 0711u);
  EXPECT_EQ(Mode(state_ + "/homes"), 0711u);
}

TEST_F(StateDirTest, PrepareTightensAnOlderLayout) {
  ASSERT_EQ(::mkdir(state_.c_str(), 0755), 0);
  for (const char* d : {"/homes", "/homes/s1", "/homes/s2", "/transcripts"}) {
    ASSERT_EQ(::mkdir((state_ + d).c_str(), 0755), 0);
  }
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown((state_ + "/homes/s1").c_str(), kOtherUid, kOtherUid), 0);
  }
  for (const char* f : {"/sessions.db", "/sessions.db-wal", "/audit.db-shm"})
    Write(state_ + f, 0644);
  ASSERT_TRUE(PrepareStateDir(state_));
  EXPECT_EQ(Mode(state_), 0711u);
  EXPECT_EQ(Mode(state_ + "/homes"), 0711u);
  EXPECT_EQ(Mode(state_ + "/transcripts"), 0700u);
  // A tenant's dir closes; one still the daemon's stays traversable only.
  EXPECT_EQ(Mode(state_ + "/homes/s1"), ::geteuid() == 0 ? 0700u : 0711u);
  EXPECT_EQ(Mode(state_ + "/homes/s2"), 0711u);
  for (const char* f : {"/sessions.db", "/sessions.db-wal", "/audit.db-shm"}) {
    EXPECT_EQ(Mode(state_ + f), 0600u) << f;
  }
}

TEST_F(StateDirTest, PrepareRefusesALooseTokenAndALinkedStateDir) {
  ASSERT_TRUE(PrepareStateDir(state_));
  Write(state_ + "/admin-token", 0644, "hpa_x\n");
  auto refused = PrepareStateDir(state_);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().Describe(), HasSubstr(state_ + "/admin-token"));
  EXPECT_THAT(refused.error().Describe(), HasSubstr("chmod 0600 " + state_ + "/admin-token"));
  ASSERT_EQ(::symlink(state_.c_str(), (dir_ + "/linked").c_str()), 0);
  auto linked = PrepareStateDir(dir_ + "/linked/");
  ASSERT_FALSE(linked);
  EXPECT_THAT(linked.error().Describe(), HasSubstr("symbolic link"));
  ASSERT_EQ(::chmod(state_.c_str(), 0777), 0);
  std::filesystem::remove(state_ + "/admin-token");
  auto open_dir = PrepareStateDir(state_);
  ASSERT_FALSE(open_dir);
  EXPECT_THAT(open_dir.error().Describe(), HasSubstr("writable by group or others"));
}

TEST_F(StateDirTest, KeyFileIsCreated0600AndALinkIsNotFollowed) {
  ASSERT_TRUE(PrepareStateDir(state_));
  const mode_t old_umask = ::umask(0);
  auto made = AdminToken::Ensure(state_);
  ::umask(old_umask);
  ASSERT_TRUE(made) << made.error().Describe();
  EXPECT_FALSE(made->Generated().empty());
  EXPECT_EQ(Mode(state_ + "/admin-token"), 0600u);
  auto again = AdminToken::Ensure(state_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->Generated().empty());
  EXPECT_TRUE(again->Matches(made->Generated()));
  // An attacker's token behind a link is neither read nor written through.
  Write(dir_ + "/evil", 0600, "hpa_attacker\n");
  std::filesystem::remove(state_ + "/api-key");
  ASSERT_EQ(::symlink((dir_ + "/evil").c_str(), (state_ + "/api-key").c_str()), 0);
  auto key = EnsureLocalApiKey(state_);
  ASSERT_FALSE(key);
  EXPECT_THAT(key.error().Describe(), HasSubstr(state_ + "/api-key is a symbolic link"));
}

TEST_F(StateDirTest, WorkspaceRootsAreTheTenantsBehindTraversableParents) {
  ASSERT_EQ(::geteuid(), 0u) << "roots are handed to the tenant's uid: run as root (CI does)";
  ASSERT_EQ(::chmod(dir_.c_str(), 0711), 0);
  DaemonConfig config;
  config.state_dir = state_;
  Tenant outside;  // configured outside the state dir, parents missing
  outside.id = "a";
  outside.uid = outside.gid = kOtherUid;
  outside.workspace_root = dir_ + "/srv/ws/a";
  Tenant managed;  // the default place, left owned by the daemon by an older layout
  managed.id = "b";
  managed.uid = managed.gid = kOtherUid + 1;
  managed.workspace_root = state_ + "/workspaces/b";
  config.tenants = {outside, managed};
  ASSERT_TRUE(PrepareStateDir(state_));
  ASSERT_EQ(::mkdir(managed.workspace_root.c_str(), 0755), 0);
  ASSERT_TRUE(PrepareWorkspaceRoots(config));
  struct stat st {};
  for (const auto& t : config.tenants) {
    ASSERT_EQ(::lstat(t.workspace_root.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, t.uid) << t.workspace_root;
    EXPECT_EQ(st.st_mode & 07777, 0700u) << t.workspace_root;
  }
  EXPECT_EQ(Mode(dir_ + "/srv"), 0711u);
  EXPECT_EQ(Mode(dir_ + "/srv/ws"), 0711u);
  // A root that is a link is refused, not followed.
  Tenant linked = outside;
  linked.workspace_root = dir_ + "/linked-root";
  ASSERT_EQ(::symlink((dir_ + "/srv").c_str(), linked.workspace_root.c_str()), 0);
  config.tenants = {linked};
  auto refused = PrepareWorkspaceRoots(config);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().Describe(), HasSubstr("symbolic link"));
  EXPECT_EQ(Mode(dir_ + "/srv"), 0711u);
}

}  // namespace
}  // namespace hotplex::supervisor
