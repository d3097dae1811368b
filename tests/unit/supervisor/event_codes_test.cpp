// The typed codes of events and their wire names: every ErrorCode and every
// sandbox::OutcomeKind has one distinct name, the names are those clients have
// always seen (api/PROTOCOL.md), and a name maps back to its code.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/outcome.hpp"
#include "supervisor/event.hpp"

namespace hotplex::supervisor {
namespace {

// The wire text before the codes became an enum: it must never change.
const std::vector<std::pair<ErrorCode, std::string>> kWireNames = {
    {ErrorCode::kLaunchFailed, "launch_failed"},
    {ErrorCode::kAgentCrashed, "agent_crashed"},
    {ErrorCode::kAgentExited, "agent_exited"},
    {ErrorCode::kStdinClosed, "stdin_closed"},
    {ErrorCode::kLineTruncated, "line_truncated"},
    {ErrorCode::kUnparsedOutput, "unparsed_output"},
    {ErrorCode::kAgentStderr, "agent_stderr"},
    {ErrorCode::kUnsupportedControlRequest, "unsupported_control_request"},
    {ErrorCode::kAgentControlError, "agent_control_error"},
    {ErrorCode::kSessionDeleted, "session_deleted"},
    {ErrorCode::kShuttingDown, "shutting_down"},
    {ErrorCode::kSlowConsumer, "slow_consumer"},
    {ErrorCode::kEventsLost, "events_lost"},
    {ErrorCode::kTranscriptQuota, "transcript_quota"},
    {ErrorCode::kTranscriptLost, "transcript_lost"},
};

TEST(EventCodes, EveryErrorCodeHasADistinctNameThatParsesBack) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kErrorCodeCount; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const std::string name = ErrorCodeName(code);
    EXPECT_NE(name, "unknown") << i;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    const auto back = ParseErrorCode(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(static_cast<std::size_t>(*back), i) << name;
  }
}

TEST(EventCodes, ErrorCodeWireNamesAreUnchanged) {
  ASSERT_EQ(kWireNames.size(), kErrorCodeCount) << "a new code needs its wire name here";
  for (const auto& [code, name] : kWireNames) EXPECT_EQ(ErrorCodeName(code), name);
}

TEST(EventCodes, UnknownNamesAndValuesAreRefused) {
  for (const char* name : {"", "Slow_Consumer", "slow_consumer ", "unknown", "error"}) {
    EXPECT_FALSE(ParseErrorCode(name).has_value()) << '"' << name << '"';
  }
  EXPECT_STREQ(ErrorCodeName(static_cast<ErrorCode>(kErrorCodeCount)), "unknown");
}

TEST(EventCodes, EveryOutcomeKindHasADistinctWireName) {
  using sandbox::OutcomeKind;
  const std::vector<std::pair<OutcomeKind, std::string>> kinds = {
      {OutcomeKind::kExited, "exited"},        {OutcomeKind::kSignaled, "signaled"},
      {OutcomeKind::kOomKilled, "oom_killed"}, {OutcomeKind::kTimedOut, "timed_out"},
      {OutcomeKind::kKilled, "killed"},        {OutcomeKind::kSetupFailed, "setup_failed"},
  };
  std::set<std::string> names;
  for (const auto& [kind, name] : kinds) {
    EXPECT_EQ(sandbox::OutcomeKindName(kind), name);
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  // kSetupFailed is the last enumerator: one past it has no name.
  EXPECT_STREQ(sandbox::OutcomeKindName(static_cast<OutcomeKind>(6)), "unknown");
}

}  // namespace
}  // namespace hotplex::supervisor
