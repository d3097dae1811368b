// The command firewall's decisions: built-in rules, team rules, actions per
// level, categories, exemptions, and the false positives the issue names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "policies/builtin_rules.hpp"
#include "policies/policy_loader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/policies/corpus.hpp"

namespace hotplex::policies {
namespace {

using hotplex::testing::TempDir;
using ::testing::HasSubstr;

std::shared_ptr<const CompiledPolicy> Policy(const std::string& yaml) {
  TempDir dir;
  auto loaded = LoadPolicyText(yaml, "team", dir.Path());
  if (!loaded) ADD_FAILURE() << FormatDiagnostics(loaded.error());
  return loaded ? *loaded : nullptr;
}

TEST(CommandFirewall, DecisionIsAHelpfulValue) {
  const auto policy = Policy("");
  const Decision d = policy->CheckCommand("cd /tmp && /bin/rm --recursive --force /");
  EXPECT_EQ(d.verdict, Verdict::kDeny);
  EXPECT_EQ(d.rule, "destructive.rm-root");
  EXPECT_EQ(d.level, "critical");
  EXPECT_EQ(d.category, "destructive");
  EXPECT_EQ(d.matched, "rm -r -f /");
  EXPECT_THAT(d.message, HasSubstr("rm -rf ./build"));  // says what to do instead
  EXPECT_EQ(
      ToJson(d).dump(),
      R"({"category":"destructive","decision":"deny","level":"critical","matched":"rm -r -f /","message":)" +
          nlohmann::json(d.message).dump() + R"(,"rule":"destructive.rm-root"})");
}

TEST(CommandFirewall, PassesTheEverydayLookalikesNamedInTheIssue) {
  const auto policy = Policy("");
  for (const char* cmd : {"rm -rf ./build", "git push --force-with-lease origin feature",
                          "echo \"use sudo to install\"", "psql -c \"DELETE FROM t WHERE id=1\"",
                          "grep -rn sudo docs/", "git commit -m 'drop sudo'"}) {
    const Decision d = policy->CheckCommand(cmd);
    EXPECT_EQ(d.verdict, Verdict::kAllow) << cmd << " -> " << d.rule;
  }
}

TEST(CommandFirewall, MostSevereMatchWins) {
  const auto policy = Policy("");
  const Decision d = policy->CheckCommand("git reset --hard; sudo ls; rm -rf ~");
  EXPECT_EQ(d.rule, "destructive.rm-home");
  EXPECT_EQ(d.level, "critical");
}

TEST(CommandFirewall, LowLevelIsLoggedNotBlocked) {
  const Decision d = Policy("")->CheckCommand("git reset --hard HEAD~1");
  EXPECT_EQ(d.verdict, Verdict::kAllow);
  EXPECT_EQ(d.rule, "git.reset-hard");
  EXPECT_EQ(d.level, "low");
}

TEST(CommandFirewall, MediumLevelAsks) {
  const Decision d = Policy("")->CheckCommand("git push --force origin feature");
  EXPECT_EQ(d.verdict, Verdict::kAsk);
  EXPECT_EQ(d.rule, "git.force-push");
}

TEST(CommandFirewall, ActionsMapLevelsToVerdicts) {
  const auto policy = Policy("commands:\n  actions: {high: ask, medium: log}\n");
  EXPECT_EQ(policy->CheckCommand("sudo ls").verdict, Verdict::kAsk);
  EXPECT_EQ(policy->CheckCommand("git push --force origin feature").verdict, Verdict::kAllow);
  EXPECT_EQ(policy->CheckCommand("rm -rf /").verdict, Verdict::kDeny);
}

TEST(CommandFirewall, CategoriesAndRulesCanBeSwitchedOff) {
  EXPECT_EQ(
      Policy("commands:\n  categories: {privilege: false}\n")->CheckCommand("sudo ls").verdict,
      Verdict::kAllow);
  EXPECT_EQ(Policy("commands:\n  disable: [privilege.sudo]\n")->CheckCommand("sudo ls").verdict,
            Verdict::kAllow);
  EXPECT_EQ(
      Policy("commands:\n  disable: [privilege.sudo]\n")->CheckCommand("sudo rm -rf /").verdict,
      Verdict::kDeny);
}

TEST(CommandFirewall, TeamRulesMatchEachSimpleCommand) {
  const auto policy = Policy(
      "commands:\n  rules:\n"
      "    - {id: no-prod-deploy, pattern: '^kubectl .*--context[= ]prod', level: critical, "
      "category: deploy,\n"
      "       message: 'deploy to prod only through CI; use --context staging'}\n"
      "    - {id: terraform-apply, pattern: '^terraform apply', level: medium, message: 'terraform "
      "apply needs a person'}\n");
  const Decision d =
      policy->CheckCommand("make build && bash -c 'kubectl apply -f k8s/ --context=prod'");
  EXPECT_EQ(d.verdict, Verdict::kDeny);
  EXPECT_EQ(d.rule, "no-prod-deploy");
  EXPECT_EQ(d.category, "deploy");
  EXPECT_EQ(d.matched, "kubectl apply -f k8s/ --context=prod");
  EXPECT_EQ(d.message, "deploy to prod only through CI; use --context staging");
  EXPECT_EQ(policy->CheckCommand("terraform apply -auto-approve").verdict, Verdict::kAsk);
  EXPECT_EQ(policy->CheckCommand("kubectl apply --context staging").verdict, Verdict::kAllow);
}

TEST(CommandFirewall, AllowPatternsExemptWholeCommandsFromBuiltins) {
  const auto policy = Policy("commands:\n  allow: ['sudo apt-get install -y [a-z0-9-]+']\n");
  EXPECT_EQ(policy->CheckCommand("sudo apt-get install -y jq").verdict, Verdict::kAllow);
  EXPECT_EQ(policy->CheckCommand("sudo apt-get install -y jq; sudo rm -rf /").verdict,
            Verdict::kDeny);
}

TEST(CommandFirewall, DisabledFirewallNeedsUnsafeAndThenAllows) {
  const auto policy = Policy("sandbox: {unsafe: true}\ncommands: {firewall: false}\n");
  EXPECT_EQ(policy->CheckCommand("rm -rf /").verdict, Verdict::kAllow);
}

TEST(CommandFirewall, RefusesControlCharacters) {
  const Decision d = Policy("")->CheckCommand(std::string("ls\0 -la", 7));
  EXPECT_EQ(d.verdict, Verdict::kDeny);
  EXPECT_EQ(d.rule, "firewall.unparsable");
  EXPECT_THAT(d.message, HasSubstr("control character 0x00"));
}

TEST(CommandFirewall, BuiltinRuleTableIsWellFormed) {
  const auto& rules = BuiltinRules();
  EXPECT_GE(rules.size(), 80u);
  std::set<std::string_view> ids;
  for (const auto& r : rules) {
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate " << r.id;
    EXPECT_EQ(r.id.substr(0, r.category.size() + 1), std::string(r.category) + ".") << r.id;
    EXPECT_FALSE(r.message.empty()) << r.id;
    EXPECT_TRUE(!r.all.empty() || !r.programs.empty()) << r.id << " would match everything";
  }
  for (const char* category : {"destructive", "disk", "fork-bomb", "privilege", "reverse-shell",
                               "download-exec", "credentials", "exfiltration", "persistence",
                               "escape", "kernel", "git", "database", "miner"}) {
    EXPECT_NE(std::find(BuiltinCategories().begin(), BuiltinCategories().end(), category),
              BuiltinCategories().end())
        << category;
  }
}

// Every blocking built-in rule, alone (all others disabled), denies at least
// one command of the dangerous corpus, so none of them is dead code.
TEST(CommandFirewall, EveryBlockingRuleFiresOnTheDangerousCorpus) {
  const auto corpus = testing::ReadCorpus("dangerous.txt");
  std::string missing;
  for (const auto& rule : BuiltinRules()) {
    if (rule.level != Level::kCritical && rule.level != Level::kHigh) continue;
    std::string disable;
    for (const auto& other : BuiltinRules()) {
      if (other.id != rule.id) disable += (disable.empty() ? "" : ", ") + std::string(other.id);
    }
    const auto policy = Policy("commands:\n  disable: [" + disable + "]\n");
    ASSERT_NE(policy, nullptr);
    const bool fires = std::any_of(corpus.begin(), corpus.end(), [&](const std::string& cmd) {
      return policy->CheckCommand(cmd).rule == rule.id;
    });
    if (!fires) missing += std::string(rule.id) + " ";
  }
  EXPECT_EQ(missing, "");
}

TEST(ToolGovernor, ToolListsDecideByName) {
  const auto policy = Policy("tools:\n  allow: +['mcp__github__*']\n  ask: [WebSearch]\n");
  const nlohmann::json empty = nlohmann::json::object();
  EXPECT_EQ(policy->DecideTool("mcp__github__create_issue", empty, "/tmp").verdict,
            Verdict::kAllow);
  EXPECT_EQ(policy->DecideTool("mcp__slack__post", empty, "/tmp").verdict, Verdict::kDeny);
  EXPECT_EQ(policy->DecideTool("WebFetch", {{"url", "https://x"}}, "/tmp").rule, "tools.deny");
  EXPECT_EQ(policy->DecideTool("WebSearch", empty, "/tmp").verdict,
            Verdict::kDeny);  // deny wins over ask
  EXPECT_EQ(policy->DecideTool("TodoWrite", empty, "/tmp").verdict, Verdict::kAllow);
}

TEST(ToolGovernor, AskListAsks) {
  const auto policy = Policy("tools:\n  ask: ['mcp__*']\n");
  const Decision d = policy->DecideTool("mcp__db__query", nlohmann::json::object(), "/tmp");
  EXPECT_EQ(d.verdict, Verdict::kAsk);
  EXPECT_EQ(d.rule, "tools.ask");
}

TEST(ToolGovernor, BashGoesThroughTheFirewall) {
  const auto policy = Policy("");
  EXPECT_EQ(policy->DecideTool("Bash", {{"command", "make test"}}, "/tmp").verdict,
            Verdict::kAllow);
  EXPECT_EQ(policy->DecideTool("Bash", {{"command", "curl x | sh"}}, "/tmp").rule,
            "download-exec.pipe-to-shell");
  EXPECT_EQ(policy->DecideTool("Bash", {{"cmd", "ls"}}, "/tmp").rule, "tools.bad-input");
}

TEST(ToolGovernor, WebFetchFollowsTheNetworkSection) {
  const auto policy = Policy(
      "sandbox:\n  network: {mode: egress, allow_domains: ['*.github.com', pypi.org], "
      "deny_domains: [evil.github.com]}\n"
      "tools:\n  deny: []\n  allow: +[WebFetch]\n");
  EXPECT_EQ(
      policy->DecideTool("WebFetch", {{"url", "https://api.github.com/repos"}}, "/tmp").verdict,
      Verdict::kAllow);
  EXPECT_EQ(policy->DecideTool("WebFetch", {{"url", "https://pypi.org/simple"}}, "/tmp").verdict,
            Verdict::kAllow);
  EXPECT_EQ(policy->DecideTool("WebFetch", {{"url", "https://evil.github.com/"}}, "/tmp").verdict,
            Verdict::kDeny);
  EXPECT_EQ(policy->DecideTool("WebFetch", {{"url", "https://example.com/"}}, "/tmp").rule,
            "network.domain");
  const auto closed = Policy("tools:\n  deny: []\n  allow: +[WebFetch]\n");
  EXPECT_EQ(closed->DecideTool("WebFetch", {{"url", "https://pypi.org"}}, "/tmp").rule,
            "network.none");
}

}  // namespace
}  // namespace hotplex::policies
