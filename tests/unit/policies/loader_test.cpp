// The policy loader's diagnostics: every kind of error, with its exact
// file:line:column, field path and message; all errors reported at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "policies/policy_loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::policies {
namespace {

using hotplex::testing::TempDir;
using ::testing::HasSubstr;

std::vector<Diagnostic> Errors(const TempDir& dir, const std::string& name,
                               const std::string& yaml) {
  const std::string file = dir.Write(name, yaml);
  auto loaded = LoadPolicyFile(file, dir.Path());
  if (loaded) return {};
  return loaded.error();
}

struct ErrorCase {
  std::string label;
  std::string yaml;
  int line, column;
  std::string path;
  std::string message_part;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.label; }

class PolicyLoaderErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PolicyLoaderErrors, ReportsExactPositionPathAndExpectation) {
  const ErrorCase& c = GetParam();
  TempDir dir;
  const auto errors = Errors(dir, "team.yaml", c.yaml);
  ASSERT_EQ(errors.size(), 1u) << FormatDiagnostics(errors);
  const Diagnostic& d = errors[0];
  EXPECT_EQ(d.file, dir.Path() + "/team.yaml");
  EXPECT_EQ(d.line, c.line) << d.ToString();
  EXPECT_EQ(d.column, c.column) << d.ToString();
  EXPECT_EQ(d.path, c.path) << d.ToString();
  EXPECT_THAT(d.message, HasSubstr(c.message_part)) << d.ToString();
  EXPECT_EQ(d.ToString(), dir.Path() + "/team.yaml:" + std::to_string(c.line) + ":" +
                              std::to_string(c.column) + ": " +
                              (c.path.empty() ? "" : c.path + ": ") + d.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PolicyLoaderErrors,
    ::testing::Values(
        ErrorCase{"UnknownKeyDidYouMean", "sandbox:\n  netwrk:\n    mode: none\n", 2, 3,
                  "sandbox.netwrk", "unknown key 'netwrk'; did you mean 'network'?"},
        ErrorCase{"UnknownTopLevelKey", "comands:\n  firewall: true\n", 1, 1, "comands",
                  "did you mean 'commands'?"},
        ErrorCase{"WrongTypeBool", "sandbox:\n  seccomp: maybe\n", 2, 12, "sandbox.seccomp",
                  "expected a boolean"},
        ErrorCase{"WrongTypeMap", "tools: [Bash]\n", 1, 8, "tools", "expected a map, found a list"},
        ErrorCase{"WrongTypeList", "tools:\n  allow: Bash\n", 2, 10, "tools.allow",
                  "expected a list, found a scalar"},
        ErrorCase{"BadSize", "sandbox:\n  limits:\n    memory: 12XB\n", 3, 13,
                  "sandbox.limits.memory", "invalid size '12XB'"},
        ErrorCase{"BadDuration", "sandbox:\n  limits:\n    wall_time: 5 minutes\n", 3, 16,
                  "sandbox.limits.wall_time", "invalid duration '5 minutes'"},
        ErrorCase{"BadNumber", "sandbox:\n  limits:\n    pids: -4\n", 3, 11, "sandbox.limits.pids",
                  "expected a whole number"},
        ErrorCase{"BadEnum", "sandbox:\n  backend: namespaces\n", 2, 12, "sandbox.backend",
                  "did you mean 'namespace'?"},
        ErrorCase{"InvalidRegex",
                  "commands:\n  rules:\n    - id: no-prod\n      pattern: 'deploy (prod'\n      "
                  "message: no\n",
                  4, 16, "commands.rules[0].pattern", "invalid RE2 pattern: missing )"},
        ErrorCase{"HostNetworkNeedsUnsafe", "sandbox:\n  network:\n    mode: host\n", 3, 11,
                  "sandbox.network.mode", "set sandbox.unsafe: true"},
        ErrorCase{"ProcessBackendNeedsUnsafe", "sandbox:\n  backend: process\n", 2, 12,
                  "sandbox.backend", "set sandbox.unsafe: true"},
        ErrorCase{"SeccompOffNeedsUnsafe", "sandbox:\n  seccomp: false\n", 2, 12, "sandbox.seccomp",
                  "set sandbox.unsafe: true"},
        ErrorCase{"FirewallOffNeedsUnsafe", "commands:\n  firewall: off\n", 2, 13,
                  "commands.firewall", "set sandbox.unsafe: true"},
        ErrorCase{"UnconfinedFilesNeedUnsafe", "tools:\n  files:\n    confine_to_workdir: false\n",
                  3, 25, "tools.files.confine_to_workdir", "set sandbox.unsafe: true"},
        ErrorCase{"RootUidNeedsUnsafe", "sandbox:\n  run_as_uid: 0\n", 2, 15, "sandbox.run_as_uid",
                  "host root"},
        ErrorCase{"LdPreloadNeedsUnsafe", "env:\n  set:\n    LD_PRELOAD: /x.so\n", 3, 5,
                  "env.set.LD_PRELOAD", "set sandbox.unsafe: true"},
        ErrorCase{"MountSourceRelative", "sandbox:\n  mounts:\n    - source: data\n", 3, 15,
                  "sandbox.mounts[0].source", "expected an absolute path"},
        ErrorCase{"MountModeInvalid", "sandbox:\n  mounts:\n    - {source: /data, mode: rwx}\n", 3,
                  29, "sandbox.mounts[0].mode", "expected one of: ro, rw"},
        ErrorCase{"UnknownSyscall", "sandbox:\n  extra_denied_syscalls: [ptrace, fooctl]\n", 2, 35,
                  "sandbox.extra_denied_syscalls[1]", "unknown system call 'fooctl'"},
        ErrorCase{"UnknownBuiltinRule", "commands:\n  disable: [privilege.sudoo]\n", 2, 13,
                  "commands.disable[0]", "did you mean 'privilege.sudo'?"},
        ErrorCase{"UnknownCategory", "commands:\n  categories:\n    kernal: false\n", 3, 5,
                  "commands.categories.kernal", "did you mean 'kernel'?"},
        ErrorCase{"TeamRuleMissingMessage", "commands:\n  rules:\n    - id: x\n      pattern: y\n",
                  3, 7, "commands.rules[0].message", "missing required key 'message'"},
        ErrorCase{"BadLevel", "commands:\n  actions:\n    high: deny\n", 3, 11,
                  "commands.actions.high", "expected one of: block, ask, log"},
        ErrorCase{"DuplicateKey", "sandbox:\n  image: a\n  image: b\n", 3, 3, "image",
                  "duplicate key"},
        ErrorCase{"YamlSyntax", "sandbox:\n  limits: [1, 2\n", 3, 1, "", "YAML syntax error"},
        ErrorCase{"BadDomain",
                  "sandbox:\n  network:\n    mode: egress\n    allow_domains: [github.com, 'bad "
                  "domain']\n",
                  4, 33, "sandbox.network.allow_domains[1]", "expected a domain"},
        ErrorCase{"MissingParent", "extends: base\n", 1, 10, "extends",
                  "parent policy 'base' not found"},
        ErrorCase{"SelfExtends", "extends: team\n", 1, 10, "extends",
                  "extends cycle: team -> team"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.label; });

TEST(PolicyLoader, ReportsEveryErrorAtOnce) {
  TempDir dir;
  const auto errors = Errors(dir, "team.yaml",
                             "sandbox:\n"
                             "  limits:\n"
                             "    memory: lots\n"
                             "    pidz: 10\n"
                             "  network:\n"
                             "    mode: host\n"
                             "commands:\n"
                             "  rules:\n"
                             "    - {id: a, pattern: '[', message: m}\n");
  ASSERT_EQ(errors.size(), 4u) << FormatDiagnostics(errors);
  // Sorted by position, whatever order the sections were checked in.
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].path, "sandbox.limits.memory");
  EXPECT_EQ(errors[1].line, 4);
  EXPECT_EQ(errors[1].path, "sandbox.limits.pidz");
  EXPECT_EQ(errors[2].line, 6);
  EXPECT_EQ(errors[2].path, "sandbox.network.mode");
  EXPECT_EQ(errors[3].line, 9);
  EXPECT_EQ(errors[3].column, 24);
  EXPECT_EQ(errors[3].path, "commands.rules[0].pattern");
}

TEST(PolicyLoader, ReportsExtendsCycleAcrossFiles) {
  TempDir dir;
  dir.Write("b.yaml", "extends: a\n");
  const auto errors = Errors(dir, "a.yaml", "# team a\nextends: b\n");
  ASSERT_EQ(errors.size(), 1u) << FormatDiagnostics(errors);
  EXPECT_EQ(errors[0].file, dir.Path() + "/b.yaml");
  EXPECT_EQ(errors[0].line, 1);
  EXPECT_EQ(errors[0].column, 10);
  EXPECT_EQ(errors[0].message, "extends cycle: a -> b -> a");
}

TEST(PolicyLoader, ReportsErrorsOfTheParentInTheParentFile) {
  TempDir dir;
  dir.Write("base.yaml", "sandbox:\n  limits:\n    pids: many\n");
  const auto errors =
      Errors(dir, "team.yaml", "extends: base\nsandbox:\n  limits:\n    memory: 2G\n");
  ASSERT_EQ(errors.size(), 1u) << FormatDiagnostics(errors);
  EXPECT_EQ(errors[0].file, dir.Path() + "/base.yaml");
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 11);
}

TEST(PolicyLoader, UnsafeOptInAllowsDangerousSettings) {
  TempDir dir;
  const std::string file =
      dir.Write("dev.yaml",
                "sandbox:\n  unsafe: true\n  backend: process\n  network: {mode: host}\n"
                "commands:\n  firewall: false\n");
  auto loaded = LoadPolicyFile(file, dir.Path());
  ASSERT_TRUE(loaded) << FormatDiagnostics(loaded.error());
  EXPECT_EQ((*loaded)->Spec().sandbox.backend, Backend::kProcess);
  EXPECT_EQ((*loaded)->Spec().sandbox.network.mode, NetworkMode::kHost);
  EXPECT_TRUE((*loaded)->CheckCommand("rm -rf /").Allowed());
}

TEST(PolicyLoader, UnreadableFileIsADiagnostic) {
  TempDir dir;
  auto loaded = LoadPolicyFile(dir.Path() + "/missing.yaml", dir.Path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error()[0].ToString(), dir.Path() + "/missing.yaml: cannot open the file");
}

TEST(PolicyLoader, ShippedPoliciesAreValid) {
  const std::string dir = std::string(HOTPLEX_SOURCE_DIR) + "/policies";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string search = entry.path().parent_path().string();
    auto loaded = LoadPolicyFile(entry.path().string(), search);
    EXPECT_TRUE(loaded) << entry.path() << "\n"
                        << (loaded ? "" : FormatDiagnostics(loaded.error()));
  }
}

TEST(PolicyLoader, EmbeddedDefaultMatchesDefaultYaml) {
  std::ifstream in(std::string(HOTPLEX_SOURCE_DIR) + "/policies/default.yaml");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(BuiltinDefaultPolicyText(), text);
}

}  // namespace
}  // namespace hotplex::policies
