// `hotplexd policy check|show|explain` through the real binary: output and
// exit codes (explain: 0 allow, 1 deny, 3 ask, 2 usage or policy error).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/temp_dir.hpp"

namespace hotplex::policies {
namespace {

using hotplex::testing::TempDir;
using ::testing::HasSubstr;

struct CliRun {
  int status;
  std::string out, err;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PolicyCli : public ::testing::Test {
 protected:
  CliRun Hotplexd(const std::vector<std::string>& args) const {
    std::string cmd = Quote(std::string(HOTPLEX_BINARY_DIR) + "/hotplexd");
    for (const auto& a : args) cmd += " " + Quote(a);
    cmd += " >" + dir_.Path() + "/out 2>" + dir_.Path() + "/err </dev/null";
    const int raw = std::system(cmd.c_str());
    return CliRun{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, Slurp(dir_.Path() + "/out"),
                  Slurp(dir_.Path() + "/err")};
  }
  CliRun Explain(const std::string& tool, const nlohmann::json& input) const {
    return Hotplexd({"policy", "explain", "--policy", policy_, "--tool", tool, "--input",
                     input.dump(), "--workdir", dir_.Path()});
  }

  TempDir dir_;
  std::string policy_ = std::string(HOTPLEX_SOURCE_DIR) + "/policies/default.yaml";
};

TEST_F(PolicyCli, ExplainDeniesRmRfRootWithExitCode1) {
  const CliRun r = Explain("Bash", {{"command", "rm -rf /"}});
  EXPECT_EQ(r.status, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["decision"], "deny");
  EXPECT_EQ(j["rule"], "destructive.rm-root");
  EXPECT_EQ(j["level"], "critical");
  EXPECT_EQ(j["category"], "destructive");
  EXPECT_EQ(j["matched"], "rm -r -f /");
  EXPECT_FALSE(j["message"].get<std::string>().empty());
}

TEST_F(PolicyCli, ExplainDeniesReadOfEtcShadow) {
  const CliRun r = Explain("Read", {{"file_path", "/etc/shadow"}});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(nlohmann::json::parse(r.out)["rule"], "files.outside-workdir");
}

TEST_F(PolicyCli, ExplainAllowsWithExitCode0) {
  const CliRun r = Explain("Bash", {{"command", "make test"}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["decision"], "allow");
}

TEST_F(PolicyCli, ExplainAsksWithExitCode3) {
  const CliRun r = Explain("Bash", {{"command", "git push --force origin my-branch"}});
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["decision"], "ask");
}

TEST_F(PolicyCli, ExplainUsageAndPolicyErrorsExit2) {
  EXPECT_EQ(Hotplexd({"policy", "explain", "--tool", "Bash"}).status, 2);
  EXPECT_EQ(Explain("Bash", nlohmann::json::array()).status, 2);
  policy_ = dir_.Write("broken.yaml", "sandbox: {seccomp: nope}\n");
  const CliRun r = Explain("Bash", {{"command", "ls"}});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("broken.yaml:1:20: sandbox.seccomp: expected a boolean"));
}

TEST_F(PolicyCli, CheckReportsEveryErrorAndExits1) {
  const std::string good = dir_.Write("good.yaml", "description: fine\n");
  const std::string bad = dir_.Write("bad.yaml", "sandbox:\n  limits: {memory: 1XB}\ntols: {}\n");
  const CliRun r = Hotplexd({"policy", "check", good, bad});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("good.yaml: ok"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:2:20: sandbox.limits.memory: invalid size '1XB'"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:3:1: tols: unknown key 'tols'; did you mean 'tools'?"));
  EXPECT_EQ(Hotplexd({"policy", "check", good}).status, 0);
}

TEST_F(PolicyCli, ShowPrintsTheEffectivePolicyAsYaml) {
  dir_.Write("base.yaml", "sandbox:\n  limits: {pids: 77}\n");
  const std::string team =
      dir_.Write("team.yaml", "extends: base\ntools:\n  allow: +[mcp__github__get_issue]\n");
  const CliRun r = Hotplexd({"policy", "show", team});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pids: 77"));
  EXPECT_THAT(r.out, HasSubstr("mcp__github__get_issue"));
  EXPECT_THAT(r.out, HasSubstr("deny: [WebFetch, WebSearch]"));  // from the built-in default
  EXPECT_THAT(r.out, HasSubstr("extends: none"));                // self-contained
}

}  // namespace
}  // namespace hotplex::policies
