// File tools are confined to the WorkDir by resolving paths (symlinks, `..`,
// absolute paths), never by pattern matching them.
#include "policies/path_confinement.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "policies/policy_loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::policies {
namespace {

using hotplex::testing::TempDir;

class PathConfinement : public ::testing::Test {
 protected:
  void SetUp() override {
    workdir_ = dir_.Path() + "/work";
    dir_.Write("work/src/main.cpp", "int main() {}\n");
    dir_.Write("outside/secret.txt", "secret\n");
    ASSERT_EQ(::symlink("/etc", (workdir_ + "/etc-link").c_str()), 0);
    ASSERT_EQ(::symlink((dir_.Path() + "/outside").c_str(), (workdir_ + "/out-link").c_str()), 0);
    ASSERT_EQ(::symlink("src", (workdir_ + "/src-link").c_str()), 0);
    ASSERT_EQ(::symlink("../outside/secret.txt", (workdir_ + "/relative-escape").c_str()), 0);
    auto loaded = LoadPolicyText(
        "tools:\n  files:\n    deny: ['**/.env', 'secrets/*']\n    read_paths: [/usr/share]\n",
        "team", dir_.Path());
    ASSERT_TRUE(loaded) << FormatDiagnostics(loaded.error());
    policy_ = *loaded;
  }

  Verdict Decide(const std::string& tool, const nlohmann::json& input) const {
    return policy_->DecideTool(tool, input, workdir_).verdict;
  }

  TempDir dir_;
  std::string workdir_;
  std::shared_ptr<const CompiledPolicy> policy_;
};

TEST_F(PathConfinement, AllowsRelativeAndAbsolutePathsInside) {
  EXPECT_EQ(Decide("Read", {{"file_path", "src/main.cpp"}}), Verdict::kAllow);
  EXPECT_EQ(Decide("Read", {{"file_path", workdir_ + "/src/main.cpp"}}), Verdict::kAllow);
  EXPECT_EQ(Decide("Edit", {{"file_path", "./src/../src/main.cpp"}}), Verdict::kAllow);
}

TEST_F(PathConfinement, AllowsNewFilesInside) {
  EXPECT_EQ(Decide("Write", {{"file_path", "new/dir/file.txt"}}), Verdict::kAllow);
}

TEST_F(PathConfinement, DeniesAbsolutePathsOutside) {
  EXPECT_EQ(Decide("Read", {{"file_path", "/etc/passwd"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", "/etc/shadow"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Write", {{"file_path", "/tmp/x"}}), Verdict::kDeny);
}

TEST_F(PathConfinement, DeniesDotDotEscapes) {
  EXPECT_EQ(Decide("Read", {{"file_path", "../../x"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", "src/../../outside/secret.txt"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", workdir_ + "/../outside/secret.txt"}}), Verdict::kDeny);
}

TEST_F(PathConfinement, DeniesSymlinksThatLeadOutside) {
  EXPECT_EQ(Decide("Read", {{"file_path", "etc-link/passwd"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Write", {{"file_path", "out-link/new.txt"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", "relative-escape"}}), Verdict::kDeny);
  // `..` applies to where the link points, as the kernel does: etc-link/.. is /.
  EXPECT_EQ(Decide("Read", {{"file_path", "etc-link/../root/.bashrc"}}), Verdict::kDeny);
}

TEST_F(PathConfinement, AllowsSymlinksThatStayInside) {
  EXPECT_EQ(Decide("Read", {{"file_path", "src-link/main.cpp"}}), Verdict::kAllow);
}

TEST_F(PathConfinement, ExplainsTheDenial) {
  const Decision d = policy_->DecideTool("Read", {{"file_path", "etc-link/passwd"}}, workdir_);
  EXPECT_EQ(d.rule, "files.outside-workdir");
  EXPECT_EQ(d.category, "files");
  EXPECT_EQ(d.matched, "/etc/passwd");
  EXPECT_NE(d.message.find("resolves to '/etc/passwd'"), std::string::npos) << d.message;
}

TEST_F(PathConfinement, DeniesHomeTildePaths) {
  EXPECT_EQ(Decide("Read", {{"file_path", "~/.ssh/id_rsa"}}), Verdict::kDeny);
}

TEST_F(PathConfinement, AppliesDenyGlobsInsideWorkdir) {
  EXPECT_EQ(Decide("Read", {{"file_path", ".env"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", "services/api/.env"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Write", {{"file_path", "secrets/token"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", "env.example"}}), Verdict::kAllow);
}

TEST_F(PathConfinement, ExtraReadPathsAreReadOnly) {
  EXPECT_EQ(Decide("Read", {{"file_path", "/usr/share/dict/words"}}), Verdict::kAllow);
  EXPECT_EQ(Decide("Write", {{"file_path", "/usr/share/dict/words"}}), Verdict::kDeny);
}

TEST_F(PathConfinement, ChecksGlobAndGrepSearchRoots) {
  EXPECT_EQ(Decide("Glob", {{"pattern", "**/*.cpp"}}), Verdict::kAllow);
  EXPECT_EQ(Decide("Glob", {{"pattern", "/etc/**"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Glob", {{"pattern", "../outside/*"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Grep", {{"pattern", "TODO"}}), Verdict::kAllow);
  EXPECT_EQ(Decide("Grep", {{"pattern", "root"}, {"path", "/etc"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("LS", {{"path", "/"}}), Verdict::kDeny);
}

TEST_F(PathConfinement, RejectsMalformedInput) {
  EXPECT_EQ(Decide("Read", {{"path", "src/main.cpp"}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", {{"file_path", 42}}), Verdict::kDeny);
  EXPECT_EQ(Decide("Read", nlohmann::json::array()), Verdict::kDeny);
}

TEST(ResolvePath, FollowsChainsAndStopsLoops) {
  TempDir dir;
  ASSERT_EQ(::symlink("b", (dir.Path() + "/a").c_str()), 0);
  ASSERT_EQ(::symlink("a", (dir.Path() + "/b").c_str()), 0);
  EXPECT_FALSE(ResolvePath("a/x", dir.Path()));
  ASSERT_EQ(::symlink("/usr", (dir.Path() + "/u").c_str()), 0);
  auto r = ResolvePath("u/bin/../lib", dir.Path());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "/usr/lib");
}

TEST(ResolvePath, IsWithinComparesWholeComponents) {
  EXPECT_TRUE(IsWithin("/work/a", "/work"));
  EXPECT_TRUE(IsWithin("/work", "/work"));
  EXPECT_FALSE(IsWithin("/workshop/a", "/work"));
  EXPECT_TRUE(IsWithin("/anything", "/"));
}

}  // namespace
}  // namespace hotplex::policies
