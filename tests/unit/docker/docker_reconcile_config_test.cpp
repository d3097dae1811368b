// The reconcile scope of hotplexd serve's docker backend: the `docker:` config
// section and the instance name derived from the state dir (sandbox/docker/DOCKER.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sandbox/docker/docker_backend.hpp"
#include "supervisor/daemon_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::sandbox {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(DockerInstance, DerivedFromTheCanonicalStateDir) {
  testing::TempDir dir;
  const std::string a = dir.Path() + "/a", b = dir.Path() + "/b", link = dir.Path() + "/l";
  std::filesystem::create_directory(a);
  std::filesystem::create_directory(b);
  ASSERT_EQ(::symlink(a.c_str(), link.c_str()), 0);
  auto name_a = DockerInstanceForStateDir(a);
  ASSERT_TRUE(name_a) << name_a.error().Describe();
  EXPECT_THAT(*name_a, MatchesRegex("hotplexd-[0-9a-f]{16}"));
  EXPECT_EQ(*DockerInstanceForStateDir(a), *name_a) << "stable across calls (restarts)";
  EXPECT_EQ(*DockerInstanceForStateDir(link), *name_a) << "a symlink names the same dir";
  EXPECT_EQ(*DockerInstanceForStateDir(a + "/../a/"), *name_a);
  EXPECT_NE(*DockerInstanceForStateDir(b), *name_a) << "another state dir, another instance";
}

TEST(DockerInstance, MissingStateDirIsAnErrorNamingIt) {
  auto name = DockerInstanceForStateDir("/nonexistent/hotplex-state");
  ASSERT_FALSE(name);
  EXPECT_THAT(name.error().Describe(), HasSubstr("/nonexistent/hotplex-state"));
}

TEST(DockerConfig, DefaultsToADerivedInstanceAndRemove) {
  auto c = supervisor::ParseDaemonConfig("", "c.yaml");
  ASSERT_TRUE(c) << c.error().Describe();
  EXPECT_EQ(c->docker.instance, "");
  auto set =
      supervisor::ParseDaemonConfig("docker: {instance: team-a, reconcile: remove}\n", "c.yaml");
  ASSERT_TRUE(set) << set.error().Describe();
  EXPECT_EQ(set->docker.instance, "team-a");
  EXPECT_EQ(c->docker.reconcile, DockerReconcile::kRemove);
  EXPECT_FALSE(c->docker.detach_on_shutdown);
}

TEST(DockerConfig, AdoptAndDetachAreExplicit) {
  auto adopt = supervisor::ParseDaemonConfig("docker: {reconcile: adopt}\n", "c.yaml");
  ASSERT_TRUE(adopt) << adopt.error().Describe();
  EXPECT_EQ(adopt->docker.reconcile, DockerReconcile::kAdopt);
  EXPECT_FALSE(adopt->docker.detach_on_shutdown) << "a graceful stop still ends agents";
  auto detach =
      supervisor::ParseDaemonConfig("docker: {reconcile: adopt, shutdown: detach}\n", "c.yaml");
  ASSERT_TRUE(detach) << detach.error().Describe();
  EXPECT_TRUE(detach->docker.detach_on_shutdown);
}

TEST(DockerConfig, BadValuesAreErrorsWithTheirPosition) {
  const struct {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"docker:\n  reconcile: keep\n", "c.yaml:2:14: docker.reconcile: expected remove or adopt"},
      {"docker:\n  shutdown: pause\n", "c.yaml:2:13: docker.shutdown: expected stop or detach"},
      {"docker:\n  shutdown: detach\n",
       "c.yaml:2:13: docker.shutdown: detach leaves agents for the next daemon to take back: it "
       "needs reconcile: adopt"},
      {"docker:\n  instance: Bad/Name\n", "c.yaml:2:13: docker.instance: expected [a-z0-9_-]"},
      {"docker:\n  instanse: x\n", "c.yaml:2:3: docker.instanse: unknown key"},
  };
  for (const auto& t : cases) {
    auto c = supervisor::ParseDaemonConfig(t.yaml, "c.yaml");
    ASSERT_FALSE(c) << t.yaml;
    EXPECT_THAT(c.error().Describe(), HasSubstr(t.error)) << t.yaml;
  }
}

}  // namespace
}  // namespace hotplex::sandbox
