// ResolveAgentBinary: the provider's command found on the host, its install dir
// chosen and guarded, and failures that name path, side and config key.
#include "supervisor/agent_binary.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hotplex::supervisor {
namespace {

namespace fs = std::filesystem;

class AgentBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/agent_binary_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = fs::canonical(tmpl).string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // An npm-style prefix: node_modules/.bin/NAME -> ../pkg/bin/cli.js (a node script).
  std::string MakeNpmPrefix(const std::string& prefix, const std::string& name) {
    const fs::path pkg = fs::path(prefix) / "node_modules" / "@acme" / "agent" / "bin";
    fs::create_directories(pkg);
    fs::create_directories(fs::path(prefix) / "node_modules" / ".bin");
    WriteExecutable(pkg / "cli.js", "#!/usr/bin/env sh\necho hi\n");
    fs::create_symlink("../@acme/agent/bin/cli.js",
                       fs::path(prefix) / "node_modules" / ".bin" / name);
    return (fs::path(prefix) / "node_modules" / ".bin").string();
  }
  static void WriteExecutable(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms::owner_all);
  }
  AgentBinaryOptions Options(const std::string& path_env) {
    AgentBinaryOptions o;
    o.path_env = path_env;
    o.state_dir = root_ + "/state";
    fs::create_directories(o.state_dir + "/workspaces/t");
    o.workspace_roots = {o.state_dir + "/workspaces/t"};
    return o;
  }

  std::string root_;
};

TEST_F(AgentBinaryTest, FindsOnPathAndMountsTheNpmPrefix) {
  const std::string bin = MakeNpmPrefix(root_ + "/prefix", "agent");
  const auto b = ResolveAgentBinary("agent", Options("/nonexistent:" + bin + ":/usr/bin:/bin"));
  ASSERT_TRUE(b.problem.empty()) << b.problem;
  EXPECT_EQ(b.host_path, bin + "/agent");
  EXPECT_EQ(b.real_path, root_ + "/prefix/node_modules/@acme/agent/bin/cli.js");
  EXPECT_EQ(b.install_dir, root_ + "/prefix");
  EXPECT_FALSE(b.system);
  EXPECT_NE(b.interpreter.find("sh"), std::string::npos);  // "#!/usr/bin/env sh"
  const auto mounts = AgentMounts(b);
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].source, root_ + "/prefix");
  EXPECT_EQ(mounts[0].mode, sandbox::MountMode::kReadOnly);
  EXPECT_NE(DescribeAgentBinary(b).find("mounted read-only"), std::string::npos);
}

TEST_F(AgentBinaryTest, PlainBinaryMountsItsOwnDirectory) {
  fs::create_directories(root_ + "/opt/agent");
  WriteExecutable(root_ + "/opt/agent/agent",
                  "\x7f"
                  "ELF");
  const auto b = ResolveAgentBinary(root_ + "/opt/agent/agent", Options(""));
  ASSERT_TRUE(b.problem.empty()) << b.problem;
  EXPECT_EQ(b.install_dir, root_ + "/opt/agent");
  EXPECT_TRUE(b.interpreter.empty());
  std::vector<sandbox::BindMount> mounts = {
      {root_ + "/opt/agent", {}, sandbox::MountMode::kReadOnly}};
  AddAgentMounts(b, mounts);
  EXPECT_EQ(mounts.size(), 1u) << "an extra_mounts entry for the same dir is not doubled";
}

TEST_F(AgentBinaryTest, SystemBinaryNeedsNoMount) {
  const auto b = ResolveAgentBinary("sh", Options("/usr/bin:/bin"));
  ASSERT_TRUE(b.problem.empty()) << b.problem;
  EXPECT_TRUE(b.system);
  EXPECT_TRUE(b.install_dir.empty());
  EXPECT_TRUE(AgentMounts(b).empty());
}

TEST_F(AgentBinaryTest, MissingOnHostNamesPathSideAndKey) {
  const auto b = ResolveAgentBinary("no-such-agent", Options(root_));
  EXPECT_TRUE(b.host_path.empty());
  EXPECT_NE(b.problem.find("'no-such-agent'"), std::string::npos) << b.problem;
  EXPECT_NE(b.problem.find("not found on the host"), std::string::npos) << b.problem;
  EXPECT_NE(b.problem.find("claude_code.command"), std::string::npos) << b.problem;
  const std::string why = ExplainAgentLaunchFailure(b, "execve: No such file or directory");
  EXPECT_NE(why.find("no-such-agent"), std::string::npos);
  EXPECT_NE(why.find("claude_code.command"), std::string::npos);
}

TEST_F(AgentBinaryTest, NotVisibleInSandboxNamesPathSideAndKeys) {
  const std::string bin = MakeNpmPrefix(root_ + "/prefix", "agent");
  auto options = Options(bin);
  options.mount_install_dir = false;
  const auto b = ResolveAgentBinary("agent", options);
  EXPECT_TRUE(b.install_dir.empty());
  EXPECT_NE(b.not_mounted.find("mount_install_dir is false"), std::string::npos);
  const std::string why =
      ExplainAgentLaunchFailure(b, "execve: sandbox setup failed: No such file or directory");
  EXPECT_NE(why.find(b.real_path), std::string::npos) << why;
  EXPECT_NE(why.find("not visible inside the sandbox"), std::string::npos) << why;
  EXPECT_NE(why.find("sandbox.extra_mounts"), std::string::npos) << why;
  EXPECT_NE(why.find("claude_code.mount_install_dir"), std::string::npos) << why;
  EXPECT_NE(why.find(root_ + "/prefix"), std::string::npos) << why;
}

TEST_F(AgentBinaryTest, RefusesAnInstallDirHoldingTenantDataOrState) {
  // Under a tenant workspace.
  const std::string in_ws = MakeNpmPrefix(root_ + "/state/workspaces/t/evil", "agent");
  auto b = ResolveAgentBinary("agent", Options(in_ws));
  EXPECT_TRUE(b.install_dir.empty());
  EXPECT_NE(b.not_mounted.find("not mounted"), std::string::npos) << b.not_mounted;
  // A dir that contains the state dir (its parent) is refused too.
  WriteExecutable(root_ + "/agent2",
                  "\x7f"
                  "ELF");
  b = ResolveAgentBinary(root_ + "/agent2", Options(""));
  EXPECT_TRUE(b.install_dir.empty()) << b.install_dir;
  EXPECT_NE(DescribeAgentBinary(b).find("sandbox.extra_mounts"), std::string::npos);
}

TEST_F(AgentBinaryTest, InstallDirOfUsesTheOutermostNodeModules) {
  EXPECT_EQ(InstallDirOf("/var/cache/c/node_modules/@a/b/node_modules/x/cli.js"), "/var/cache/c");
  EXPECT_EQ(InstallDirOf("/opt/agent/bin/agent"), "/opt/agent/bin");
}

TEST(AgentBinaryConfig, MountInstallDirDefaultsOnAndCanBeTurnedOff) {
  auto on = ParseDaemonConfig("claude_code: {command: [claude]}\n", "c.yaml");
  ASSERT_TRUE(on) << on.error().Describe();
  EXPECT_TRUE(on->claude_mount_install_dir);
  auto off = ParseDaemonConfig("claude_code: {mount_install_dir: false}\n", "c.yaml");
  ASSERT_TRUE(off) << off.error().Describe();
  EXPECT_FALSE(off->claude_mount_install_dir);
  EXPECT_FALSE(ParseDaemonConfig("claude_code: {mount_install_dir: maybe}\n", "c.yaml"));
}

}  // namespace
}  // namespace hotplex::supervisor
