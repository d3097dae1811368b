// `extends` merge rules: maps merge, lists replace unless `+[...]` or `+key:`,
// null resets to the built-in default, `extends` itself is not inherited.
#include <gtest/gtest.h>

#include "policies/policy_loader.hpp"
#include "policies/policy_yaml_writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::policies {
namespace {

using hotplex::testing::TempDir;

PolicySpec Load(const TempDir& dir, const std::string& name, const std::string& yaml) {
  auto loaded = LoadPolicyFile(dir.Write(name + ".yaml", yaml), dir.Path());
  if (!loaded) {
    ADD_FAILURE() << FormatDiagnostics(loaded.error());
    return {};
  }
  return (*loaded)->Spec();
}

TEST(PolicyMerge, MapsMergeKeyByKey) {
  TempDir dir;
  dir.Write("base.yaml", "sandbox:\n  limits:\n    memory: 2G\n    pids: 100\n");
  const PolicySpec spec = Load(dir, "team", "extends: base\nsandbox:\n  limits:\n    pids: 50\n");
  EXPECT_EQ(spec.sandbox.limits.memory_bytes, 2ull << 30);
  EXPECT_EQ(spec.sandbox.limits.pids, 50u);
  EXPECT_EQ(spec.extends, "base");
}

TEST(PolicyMerge, ListsReplace) {
  TempDir dir;
  dir.Write("base.yaml", "extends: none\ntools:\n  allow: [Bash, Read]\n");
  const PolicySpec spec = Load(dir, "team", "extends: base\ntools:\n  allow: [Read]\n");
  EXPECT_EQ(spec.tools.allow, (std::vector<std::string>{"Read"}));
}

TEST(PolicyMerge, PlusListAppends) {
  TempDir dir;
  dir.Write("base.yaml", "extends: none\ntools:\n  allow: [Bash, Read]\n");
  const PolicySpec spec =
      Load(dir, "team", "extends: base\ntools:\n  allow: +[Grep, 'mcp__github__*']\n");
  EXPECT_EQ(spec.tools.allow, (std::vector<std::string>{"Bash", "Read", "Grep", "mcp__github__*"}));
}

TEST(PolicyMerge, PlusKeyAppendsBlockList) {
  TempDir dir;
  dir.Write("base.yaml",
            "extends: none\ncommands:\n  rules:\n    - {id: a, pattern: 'deploy prod', message: no "
            "prod}\n");
  const PolicySpec spec =
      Load(dir, "team",
           "extends: base\ncommands:\n  +rules:\n    - id: b\n      pattern: 'kubectl delete'\n"
           "      level: medium\n      message: ask first\n");
  ASSERT_EQ(spec.commands.rules.size(), 2u);
  EXPECT_EQ(spec.commands.rules[0].id, "a");
  EXPECT_EQ(spec.commands.rules[1].id, "b");
  EXPECT_EQ(spec.commands.rules[1].level, Level::kMedium);
}

TEST(PolicyMerge, NullResetsToBuiltinDefault) {
  TempDir dir;
  dir.Write("base.yaml", "sandbox:\n  image: ghcr.io/org/agent:1\n  limits:\n    pids: 64\n");
  const PolicySpec spec =
      Load(dir, "team", "extends: base\nsandbox:\n  image: ~\n  limits:\n    pids: null\n");
  EXPECT_EQ(spec.sandbox.image, "");
  EXPECT_EQ(spec.sandbox.limits.pids, 256u);
}

TEST(PolicyMerge, ImplicitParentIsDefault) {
  TempDir dir;  // no default.yaml here: the embedded one applies
  const PolicySpec spec = Load(dir, "team", "description: team a\n");
  EXPECT_EQ(spec.extends, "default");
  EXPECT_EQ(spec.tools.deny, (std::vector<std::string>{"WebFetch", "WebSearch"}));
  EXPECT_EQ(spec.env.set.at("LANG"), "C.UTF-8");
}

TEST(PolicyMerge, DirectoryDefaultOverridesEmbeddedDefault) {
  TempDir dir;
  dir.Write("default.yaml", "tools:\n  allow: [Read]\n");
  const PolicySpec spec = Load(dir, "team", "description: team a\n");
  EXPECT_EQ(spec.tools.allow, (std::vector<std::string>{"Read"}));
  EXPECT_TRUE(spec.tools.deny.empty());
}

TEST(PolicyMerge, ExtendsNoneStartsFromStructDefaults) {
  TempDir dir;
  const PolicySpec spec = Load(dir, "team", "extends: none\n");
  EXPECT_TRUE(spec.tools.allow.empty());
  EXPECT_EQ(spec.tools.default_verdict, ToolVerdict::kDeny);
  EXPECT_EQ(spec.sandbox.network.mode, NetworkMode::kNone);
  EXPECT_TRUE(spec.env.pass.empty());
}

TEST(PolicyMerge, ChildUnsafeCoversParentSettings) {
  TempDir dir;
  dir.Write("base.yaml", "sandbox:\n  unsafe: true\n  network: {mode: host}\n");
  const PolicySpec spec = Load(dir, "team", "extends: base\n");
  EXPECT_EQ(spec.sandbox.network.mode, NetworkMode::kHost);
}

TEST(PolicyMerge, ChildTurningUnsafeOffInvalidatesInheritedHostNetwork) {
  TempDir dir;
  dir.Write("base.yaml", "sandbox:\n  unsafe: true\n  network: {mode: host}\n");
  auto loaded = LoadPolicyFile(dir.Write("team.yaml", "extends: base\nsandbox:\n  unsafe: false\n"),
                               dir.Path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error()[0].file,
            dir.Path() + "/base.yaml");  // the inherited value's own position
  EXPECT_EQ(loaded.error()[0].line, 3);
  EXPECT_EQ(loaded.error()[0].column, 19);
}

TEST(PolicyMerge, ShowOutputLoadsBackToTheSameSpec) {
  TempDir dir;
  dir.Write("base.yaml", "sandbox:\n  limits: {memory: 3G, wall_time: 90m}\n");
  const PolicySpec spec =
      Load(dir, "team",
           "extends: base\nsandbox:\n  mounts:\n    - {source: /data, mode: rw}\n"
           "commands:\n  categories: {miner: false}\n  rules:\n"
           "    - {id: x, pattern: 'deploy prod', level: low, message: logged}\n");
  const std::string yaml = PolicyToYaml(spec);
  auto again = LoadPolicyText(yaml, "team", dir.Path());
  ASSERT_TRUE(again) << FormatDiagnostics(again.error()) << yaml;
  const std::string again_yaml = PolicyToYaml((*again)->Spec());
  // Everything but the first line (a comment naming the source) is identical.
  EXPECT_EQ(again_yaml.substr(again_yaml.find('\n')), yaml.substr(yaml.find('\n')));
  EXPECT_NE(yaml.find("memory: 3GiB"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("wall_time: 90m"), std::string::npos) << yaml;
}

}  // namespace
}  // namespace hotplex::policies
