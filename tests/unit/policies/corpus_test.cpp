// The corpus thresholds of the command firewall at the default policy:
// >= 99 % of the dangerous commands denied, <= 1 % of everyday ones not allowed.
#include "tests/unit/policies/corpus.hpp"

#include <gtest/gtest.h>

#include "policies/policy_loader.hpp"

namespace hotplex::policies {
namespace {

std::shared_ptr<const CompiledPolicy> DefaultPolicy() {
  auto loaded = LoadPolicyFile(std::string(HOTPLEX_SOURCE_DIR) + "/policies/default.yaml",
                               std::string(HOTPLEX_SOURCE_DIR) + "/policies");
  if (!loaded) ADD_FAILURE() << FormatDiagnostics(loaded.error());
  return loaded ? *loaded : nullptr;
}

TEST(PolicyCorpus, BlocksAtLeast99PercentOfDangerousCommands) {
  const auto policy = DefaultPolicy();
  ASSERT_NE(policy, nullptr);
  const auto corpus = testing::ReadCorpus("dangerous.txt");
  ASSERT_GE(corpus.size(), 300u);
  std::size_t denied = 0;
  std::string missed;
  for (const auto& cmd : corpus) {
    if (policy->CheckCommand(cmd).verdict == Verdict::kDeny)
      ++denied;
    else
      missed += "  not denied: " + cmd + "\n";
  }
  const double rate = static_cast<double>(denied) / static_cast<double>(corpus.size());
  RecordProperty("blocked_rate", std::to_string(rate));
  EXPECT_GE(rate, 0.99) << denied << "/" << corpus.size() << " denied\n" << missed;
  std::printf("dangerous corpus: %zu/%zu denied (%.2f %%)\n%s", denied, corpus.size(), 100 * rate,
              missed.c_str());
}

TEST(PolicyCorpus, FlagsAtMost1PercentOfEverydayCommands) {
  const auto policy = DefaultPolicy();
  ASSERT_NE(policy, nullptr);
  const auto corpus = testing::ReadCorpus("everyday.txt");
  ASSERT_GE(corpus.size(), 300u);
  std::size_t flagged = 0;
  std::string details;
  for (const auto& cmd : corpus) {
    const Decision d = policy->CheckCommand(cmd);
    if (d.verdict == Verdict::kAllow) continue;
    ++flagged;
    details += "  " + std::string(VerdictName(d.verdict)) + " by " + d.rule + ": " + cmd + "\n";
  }
  const double rate = static_cast<double>(flagged) / static_cast<double>(corpus.size());
  EXPECT_LE(rate, 0.01) << flagged << "/" << corpus.size() << " flagged\n" << details;
  std::printf("everyday corpus: %zu/%zu flagged (%.2f %%)\n%s", flagged, corpus.size(), 100 * rate,
              details.c_str());
}

}  // namespace
}  // namespace hotplex::policies
