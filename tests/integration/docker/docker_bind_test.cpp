// What dockerd gets as bind sources (docker_bind_source.hpp), seen from a real
// container: a workdir a tenant could re-point is staged from a pinned fd and
// is what the container runs in, the staging is gone once the container
// started, and the docker socket's directory is refused whatever it is called.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "docker_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string StagingDirOfThisProcess() {
  return "/run/hotplex-docker-binds/" + TestDockerOptions().instance;
}

bool EmptyDir(const std::string& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || fs::is_empty(dir, ec);
}

// workdir_ (owned by the test uid, in sticky /tmp) can be renamed by that uid,
// so x/sub below it is staged; the container must run in the very directory.
TEST_F(DockerSandboxTest, StagedWorkdirIsWhatTheContainerRunsInAndStagingIsGone) {
  const std::string sub = workdir_ + "/x/sub";
  fs::create_directories(sub);
  ASSERT_EQ(::chown((workdir_ + "/x").c_str(), kTestUid, kTestGid), 0);
  ASSERT_EQ(::chown(sub.c_str(), kTestUid, kTestGid), 0);
  struct stat st {};
  ASSERT_EQ(::stat(sub.c_str(), &st), 0);
  auto spec = Spec({"/bin/sh", "-c", "stat -c %i .; echo in-container > made-here"});
  spec.workdir = sub;
  auto r = Run(spec);
  ExpectExit0(r);
  EXPECT_EQ(r.out, std::to_string(st.st_ino) + "\n");
  EXPECT_TRUE(fs::exists(sub + "/made-here"));
  EXPECT_TRUE(EmptyDir(StagingDirOfThisProcess())) << "a staging mount outlived its launch";
}

TEST_F(DockerSandboxTest, DockerSocketDirectoryIsRefusedUnderAnyName) {
  std::error_code ec;
  const fs::path socket_dir = fs::canonical(Client().SocketPath(), ec).parent_path();
  ASSERT_FALSE(ec) << Client().SocketPath();
  auto spec = Spec({"/bin/true"});
  spec.mounts.push_back({socket_dir.string(), "/hostrun", MountMode::kReadOnly});
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched) << socket_dir << " was mounted";
  EXPECT_THAT(launched.error().Describe(), HasSubstr("docker socket"));
}

TEST_F(DockerSandboxTest, SymlinkInTheMiddleOfTheWorkdirIsRefused) {
  fs::create_directories(workdir_ + "/real/sub");
  fs::create_directory_symlink(workdir_ + "/real", workdir_ + "/link");
  auto spec = Spec({"/bin/true"});
  spec.workdir = workdir_ + "/link/sub";
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("symlink"));
  EXPECT_EQ(CountInstanceContainers(Client()), 0u);
}

}  // namespace
}  // namespace hotplex::sandbox::testing
