// Bind sources handed to dockerd: root-fixed paths pass as they are, anything a
// tenant could re-point is pinned and staged (a mount of the pinned fd in a
// root-only dir), and the create body names the staged path. Needs root (mounts).
#include "sandbox/docker/docker_bind_source.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "sandbox/docker/docker_container_spec.hpp"
#include "sandbox/host_path.hpp"

namespace hotplex::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uid_t kTenant = 61000;

FileId IdOfPath(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return FileId{st.st_dev, st.st_ino};
}

class DockerBindSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "staging mounts need root: run the docker unit tests as root";
    char tmpl[] = "/tmp/hotplex-dbs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ::chmod(dir_.c_str(), 0711);
    // A tenant's workspace (owned by the tenant) with x/sub, a root-only
    // "host" directory with a SECRET, and a session home in a root-owned dir.
    ws_ = dir_ + "/ws";
    fs::create_directories(ws_ + "/x/sub");
    for (const char* d : {"", "/x", "/x/sub"})
      ASSERT_EQ(::chown((ws_ + d).c_str(), kTenant, kTenant), 0);
    fs::create_directories(dir_ + "/host/sub");
    std::ofstream(dir_ + "/host/sub/SECRET") << "secret\n";
    fs::create_directories(dir_ + "/homes/s1");
    ASSERT_EQ(::chown((dir_ + "/homes/s1").c_str(), kTenant, kTenant), 0);
    staging_root_ = dir_ + "/staging";
    spec_.id = "s1";
    spec_.argv = {"/bin/sh"};
    spec_.workdir = ws_ + "/x/sub";
    spec_.home_source = dir_ + "/homes/s1";
    spec_.identity.host_uid = kTenant;
    spec_.identity.host_gid = kTenant;
  }
  void TearDown() override {
    RemoveStaleStaging(staging_root_);
    fs::remove_all(dir_);
  }

  std::string dir_, ws_, staging_root_;
  SandboxSpec spec_;
};

TEST_F(DockerBindSourceTest, RootOwnedParentsAreFixedATenantsDirectoryIsNot) {
  auto home = PinBindSource(spec_.home_source);
  ASSERT_TRUE(home) << home.error().Describe();
  EXPECT_TRUE(home->root_fixed);  // the tenant owns the home, but not homes/
  auto root = PinBindSource(ws_);
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->root_fixed);
  auto sub = PinBindSource(ws_ + "/x/sub");
  ASSERT_TRUE(sub);
  EXPECT_FALSE(sub->root_fixed);
  EXPECT_THAT(sub->changeable, HasSubstr(ws_ + " (owned by uid 61000)"));
}

TEST_F(DockerBindSourceTest, ASymlinkAnywhereOnTheWayIsRefused) {
  fs::create_directory_symlink(dir_ + "/host", ws_ + "/evil");
  auto pinned = PinBindSource(ws_ + "/evil/sub");
  ASSERT_FALSE(pinned);
  EXPECT_TRUE(IsHostPathRefusal(pinned.error()));
  EXPECT_THAT(pinned.error().Describe(), HasSubstr("symlink"));
  spec_.workdir = ws_ + "/evil/sub";
  DockerBindStaging staging(staging_root_, "a");
  EXPECT_FALSE(ResolveDockerBindSources(spec_, "", staging));
  EXPECT_TRUE(staging.Empty());
}

// The operator's own paths may go through root's links (/var/run -> /run):
// followed, and dockerd gets the link-free path the walk took.
TEST_F(DockerBindSourceTest, RootsOwnLinkInARootOnlyDirectoryIsFollowed) {
  fs::create_directories(dir_ + "/etc-like/real/data");
  fs::create_directory_symlink("real", dir_ + "/etc-like/alias");
  auto pinned = PinBindSource(dir_ + "/etc-like/alias/data");
  ASSERT_TRUE(pinned) << pinned.error().Describe();
  EXPECT_TRUE(pinned->root_fixed);
  EXPECT_EQ(pinned->path, dir_ + "/etc-like/real/data");
  EXPECT_EQ(pinned->id, IdOfPath(dir_ + "/etc-like/real/data"));
  // ... but never as the last component: the source itself is no link.
  fs::create_directories(dir_ + "/etc-like/real/leaf");
  fs::create_directory_symlink("leaf", dir_ + "/etc-like/real/leaf-link");
  EXPECT_FALSE(PinBindSource(dir_ + "/etc-like/real/leaf-link"));
  // The same link owned by a tenant, or in the tenant's directory: refused.
  ASSERT_EQ(::lchown((dir_ + "/etc-like/alias").c_str(), kTenant, kTenant), 0);
  EXPECT_FALSE(PinBindSource(dir_ + "/etc-like/alias/data"));
}

// The heart of the fix: dockerd gets a root-only path whose mount shows the
// directory pinned at check time, whatever the tenant swaps in afterwards.
TEST_F(DockerBindSourceTest, AWorkdirBelowTheTenantsDirectoryIsStagedFromItsFd) {
  const FileId original = IdOfPath(ws_ + "/x/sub");
  DockerBindStaging staging(staging_root_, "s1-1");
  auto sources = ResolveDockerBindSources(spec_, "", staging);
  ASSERT_TRUE(sources) << sources.error().Describe();
  EXPECT_TRUE(sources->workdir_staged);
  EXPECT_THAT(sources->workdir, StartsWith(staging_root_ + "/s1-1/"));
  EXPECT_EQ(sources->home, spec_.home_source);  // root-fixed: passed as it is
  EXPECT_EQ(sources->workdir_id, original);
  // The tenant now swaps x for a symlink to the host directory.
  fs::rename(ws_ + "/x", ws_ + "/x.real");
  fs::create_directory_symlink(dir_ + "/host", ws_ + "/x");
  EXPECT_EQ(IdOfPath(sources->workdir), original);
  EXPECT_FALSE(fs::exists(sources->workdir + "/SECRET"));
  struct stat st {};
  ASSERT_EQ(::stat(staging_root_.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  DockerCreateParams params;
  params.image = "hotplex/sandbox-test";
  params.sources = *sources;
  auto body = DockerCreateBody(spec_, params);
  ASSERT_TRUE(body) << body.error().Describe();
  const auto& binds = (*body)["HostConfig"]["Binds"];
  ASSERT_EQ(binds.size(), 2u);
  EXPECT_EQ(binds[0], sources->workdir + ":" + spec_.workdir + ":rw");
  EXPECT_EQ(binds[1], spec_.home_source + ":/home/agent:rw");

  const std::string staged = sources->workdir;
  staging.Release();
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_FALSE(fs::exists(staging_root_ + "/s1-1"));
}

// The supervisor pinned the workdir when it checked it (SandboxSpec::workdir_fd):
// a swap afterwards changes nothing, the pinned directory is what is staged.
TEST_F(DockerBindSourceTest, TheSupervisorsPinnedFdIsStagedWhateverThePathBecame) {
  const FileId original = IdOfPath(ws_ + "/x/sub");
  spec_.workdir_fd = std::make_shared<const UniqueFd>(
      ::open((ws_ + "/x/sub").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(*spec_.workdir_fd);
  fs::rename(ws_ + "/x", ws_ + "/x.real");
  fs::create_directory_symlink(dir_ + "/host", ws_ + "/x");
  DockerBindStaging staging(staging_root_, "s1-5");
  auto sources = ResolveDockerBindSources(spec_, "", staging);
  ASSERT_TRUE(sources) << sources.error().Describe();
  EXPECT_TRUE(sources->workdir_staged);
  EXPECT_EQ(sources->workdir_id, original);
  EXPECT_EQ(IdOfPath(sources->workdir), original);
  EXPECT_FALSE(fs::exists(sources->workdir + "/SECRET"));
  // A root-fixed path that leads to the pinned directory is passed as it is.
  spec_.workdir = ws_;
  spec_.workdir_fd =
      std::make_shared<const UniqueFd>(::open(ws_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DockerBindStaging direct(staging_root_, "s1-6");
  sources = ResolveDockerBindSources(spec_, "", direct);
  ASSERT_TRUE(sources) << sources.error().Describe();
  EXPECT_FALSE(sources->workdir_staged);
  EXPECT_EQ(sources->workdir, ws_);
}

TEST_F(DockerBindSourceTest, RootFixedSourcesNeedNoStaging) {
  spec_.workdir = ws_;
  DockerBindStaging staging(staging_root_, "s1-2");
  auto sources = ResolveDockerBindSources(spec_, "", staging);
  ASSERT_TRUE(sources) << sources.error().Describe();
  EXPECT_FALSE(sources->workdir_staged);
  EXPECT_EQ(sources->workdir, ws_);
  EXPECT_TRUE(staging.Empty());
  EXPECT_FALSE(fs::exists(staging_root_ + "/s1-2"));
}

// By identity, not by spelling: the socket's directory named through another path.
TEST_F(DockerBindSourceTest, TheDockerSocketDirectoryIsRefusedUnderAnyName) {
  fs::create_directories(dir_ + "/run");
  std::ofstream(dir_ + "/run/docker.sock") << "";
  fs::create_directory_symlink(dir_ + "/run", dir_ + "/var-run");
  spec_.workdir = ws_;
  spec_.mounts.push_back({dir_ + "/run", "/data", MountMode::kReadOnly});
  DockerBindStaging staging(staging_root_, "s1-3");
  auto sources = ResolveDockerBindSources(spec_, dir_ + "/var-run/docker.sock", staging);
  ASSERT_FALSE(sources);
  EXPECT_THAT(sources.error().Describe(), HasSubstr("docker socket"));
  spec_.mounts = {{dir_ + "/var-run/docker.sock", "/s", MountMode::kReadOnly}};
  sources = ResolveDockerBindSources(spec_, dir_ + "/run/docker.sock", staging);
  ASSERT_FALSE(sources);
  EXPECT_THAT(sources.error().Describe(), HasSubstr("docker socket"));
}

TEST_F(DockerBindSourceTest, StaleStagingOfACrashedRunIsRemoved) {
  auto pinned = PinBindSource(ws_ + "/x/sub");
  ASSERT_TRUE(pinned);
  // As if hotplexd died after mounting: the owner never released it.
  auto leaked = std::make_unique<DockerBindStaging>(staging_root_, "s1-4");
  auto mounted = leaked->Mount(*pinned);
  ASSERT_TRUE(mounted) << mounted.error().Describe();
  EXPECT_EQ(IdOfPath(*mounted), pinned->id);
  EXPECT_EQ(RemoveStaleStaging(staging_root_), 1u);
  EXPECT_FALSE(fs::exists(*mounted));
  leaked.reset();  // its own Release finds nothing left
}

}  // namespace
}  // namespace hotplex::sandbox
