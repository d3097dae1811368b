// BuildSandboxSpec / HostAgentBinary: the spec of one launch from plain inputs,
// without a Session.
#include "supervisor/sandbox_spec_builder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "sandbox/host_path.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::supervisor {
namespace {

struct Fixture {
  testing::TempDir dir;
  SessionRecord record;
  SessionPolicy policy;
  std::vector<sandbox::BindMount> extra = {
      {"/opt/tool", "/opt/tool", sandbox::MountMode::kReadOnly}};
  std::string workspace_root, homes_root;

  Fixture() {
    record.id = "0123-4567-89ab-cdef";
    record.tenant_id = "team-a";
    workspace_root = dir.Path() + "/ws";
    homes_root = dir.Path() + "/homes";
    record.workdir = workspace_root + "/project";
    record.home = homes_root + "/h1";
    std::filesystem::create_directories(record.workdir);
    std::filesystem::create_directories(record.home);
    policy.name = "team-a";
    policy.run_as_uid = 2000;
    policy.mounts = {{"/data", "/data", sandbox::MountMode::kReadWrite}};
  }

  SpecInputs Inputs(sandbox::BackendKind backend) const {
    sandbox::Identity identity;
    identity.host_uid = ::getuid();
    identity.host_gid = ::getgid();
    return {.record = record,
            .policy = policy,
            .backend = backend,
            .identity = identity,
            .argv = {"agent", "--flag"},
            .extra_mounts = extra,
            .host_agent = nullptr,
            .workspace_root = workspace_root,
            .homes_root = homes_root};
  }
};

TEST(SandboxSpecBuilder, SpecCarriesRecordPolicyAndPinnedDirs) {
  Fixture f;
  auto spec = BuildSandboxSpec(f.Inputs(sandbox::BackendKind::kNamespace));
  ASSERT_TRUE(spec) << spec.error().Describe();
  EXPECT_EQ(spec->id, "0123456789ab");
  EXPECT_EQ(spec->argv, (std::vector<std::string>{"agent", "--flag"}));
  EXPECT_EQ(spec->workdir, f.record.workdir);
  EXPECT_EQ(spec->home_source, f.record.home);
  EXPECT_NE(spec->workdir_fd, nullptr);
  EXPECT_NE(spec->home_fd, nullptr);
  ASSERT_EQ(spec->mounts.size(), 2u);
  EXPECT_EQ(spec->mounts[0].source, "/data");
  EXPECT_EQ(spec->mounts[1].source, "/opt/tool");
  EXPECT_EQ(spec->identity.inside_uid, 2000u);
  EXPECT_EQ(spec->identity.inside_gid, 1000u);  // the Identity default: not in the policy
  EXPECT_EQ(spec->labels.at("io.hotplex.tenant"), "team-a");
  EXPECT_FALSE(spec->network_ready);
}

TEST(SandboxSpecBuilder, HomeIsTheHostPathOnlyForTheProcessBackend) {
  Fixture f;
  auto jailed = BuildSandboxSpec(f.Inputs(sandbox::BackendKind::kNamespace));
  auto plain = BuildSandboxSpec(f.Inputs(sandbox::BackendKind::kProcess));
  ASSERT_TRUE(jailed && plain);
  auto has = [](const std::vector<std::string>& env, const std::string& var) {
    return std::find(env.begin(), env.end(), var) != env.end();
  };
  EXPECT_TRUE(has(jailed->env, "HOME=" + jailed->home_inside));
  EXPECT_TRUE(has(plain->env, "HOME=" + f.record.home));
}

TEST(SandboxSpecBuilder, WorkdirOutsideItsRootIsARefusal) {
  Fixture f;
  f.record.workdir = "/etc";
  auto spec = BuildSandboxSpec(f.Inputs(sandbox::BackendKind::kNamespace));
  ASSERT_FALSE(spec);
  EXPECT_TRUE(sandbox::IsHostPathRefusal(spec.error())) << spec.error().Describe();
}

TEST(SandboxSpecBuilder, HostAgentBinaryOnlyForClaudeOutsideDocker) {
  auto binary = std::make_shared<const AgentBinary>();
  using sandbox::BackendKind;
  EXPECT_EQ(HostAgentBinary(ProviderKind::kClaudeCode, BackendKind::kNamespace, binary),
            binary.get());
  EXPECT_EQ(HostAgentBinary(ProviderKind::kClaudeCode, BackendKind::kProcess, binary),
            binary.get());
  EXPECT_EQ(HostAgentBinary(ProviderKind::kClaudeCode, BackendKind::kDocker, binary), nullptr);
  EXPECT_EQ(HostAgentBinary(ProviderKind::kExec, BackendKind::kNamespace, binary), nullptr);
  EXPECT_EQ(HostAgentBinary(ProviderKind::kClaudeCode, BackendKind::kNamespace, nullptr), nullptr);
}

}  // namespace
}  // namespace hotplex::supervisor
