// Durable before acknowledged: the provider answers the agent's can_use_tool
// only after the host reports the decision record durable, and denies when the
// audit store could not write.
#include <gtest/gtest.h>

#include <deque>

#include "supervisor/claude_code_provider.hpp"
#include "tests/unit/supervisor/fake_provider_host.hpp"

namespace hotplex::supervisor {
namespace {
using nlohmann::json;

// A host whose audit "commit" completes only when the test says so.
class DelayedAuditHost : public testing::FakeProviderHost {
 public:
  void RecordDecision(PermissionDecision decision,
                      std::function<void(const hotplex::Status&)> then) override {
    recorded.push_back(std::move(decision));
    pending.push_back(std::move(then));
  }
  void Commit(hotplex::Status status) {
    auto then = std::move(pending.front());
    pending.pop_front();
    then(status);
  }
  std::vector<PermissionDecision> recorded;
  std::deque<std::function<void(const hotplex::Status&)>> pending;
};

class AllowAll : public ToolGovernor {
 public:
  ToolVerdict DecideTool(std::string_view tool, const json&, const std::string&) const override {
    if (tool == "Write") return {policies::Verdict::kAsk, "tools.ask", "", "tools", "confirm", ""};
    return {policies::Verdict::kAllow, "tools.allow", "", "tools", "", ""};
  }
};

class DecisionOrderingTest : public ::testing::Test {
 protected:
  DecisionOrderingTest() : provider_(host_, Settings()) {}
  static ClaudeCodeSettings Settings() {
    ClaudeCodeSettings s;
    s.session_id = "11111111-2222-4333-8444-555555555555";
    s.governor = std::make_shared<AllowAll>();
    return s;
  }
  void CanUseTool(const std::string& id, const std::string& tool) {
    provider_.OnStdoutLine(
        json{{"type", "control_request"},
             {"request_id", id},
             {"request",
              {{"subtype", "can_use_tool"}, {"tool_name", tool}, {"input", {{"command", "ls"}}}}}}
            .dump(),
        false);
  }
  std::size_t Answers() const {
    std::size_t n = 0;
    for (const auto& l : host_.lines) n += l.find("control_response") != std::string::npos;
    return n;
  }
  DelayedAuditHost host_;
  ClaudeCodeProvider provider_;
};

TEST_F(DecisionOrderingTest, NoAnswerBeforeTheRecordIsDurable) {
  CanUseTool("r1", "Bash");
  ASSERT_EQ(host_.recorded.size(), 1u);
  EXPECT_EQ(host_.recorded[0].request_id, "r1");
  EXPECT_TRUE(host_.recorded[0].allowed);
  EXPECT_EQ(Answers(), 0u) << "answered before the audit record was committed";
  EXPECT_TRUE(host_.Of<PermissionDecision>().empty());
  host_.Commit({});
  ASSERT_EQ(Answers(), 1u);
  EXPECT_EQ(host_.LastLineJson()["response"]["response"]["behavior"], "allow");
  ASSERT_EQ(host_.Of<PermissionDecision>().size(), 1u);
}

TEST_F(DecisionOrderingTest, AFailedRecordDeniesTheCall) {
  CanUseTool("r2", "Bash");
  host_.Commit(MakeError("audit store unavailable: disk full"));
  ASSERT_EQ(Answers(), 1u);
  const json answer = host_.LastLineJson()["response"]["response"];
  EXPECT_EQ(answer["behavior"], "deny");
  EXPECT_NE(answer["message"].get<std::string>().find("audit store unavailable"),
            std::string::npos);
  auto decisions = host_.Of<PermissionDecision>();
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_FALSE(decisions[0].allowed);
}

TEST_F(DecisionOrderingTest, AnAskedAnswerWaitsForItsRecordToo) {
  CanUseTool("r3", "Write");
  EXPECT_TRUE(host_.recorded.empty());  // the ask itself is recorded by the session
  ASSERT_TRUE(provider_.AnswerPermission("r3", true, ""));
  ASSERT_EQ(host_.recorded.size(), 1u);
  EXPECT_EQ(host_.recorded[0].source, DecisionSource::kClient);
  EXPECT_EQ(Answers(), 0u);
  host_.Commit({});
  EXPECT_EQ(Answers(), 1u);
}

}  // namespace
}  // namespace hotplex::supervisor
