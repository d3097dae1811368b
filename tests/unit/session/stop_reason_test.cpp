// StopReason: the text people see stays what it was before the enum, and each
// reason writes the audit record type AUDIT.md documents for it.
#include "supervisor/stop_reason.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "supervisor/audit/audit.hpp"

namespace hotplex::supervisor {
namespace {

struct Expected {
  StopReason reason;
  std::string text;
  std::string audit_type;
};

const Expected kTable[] = {
    {StopReason::kIdleTimeout, "idle timeout", "session.expired"},
    {StopReason::kDaemonShutdown, "daemon shutting down", "session.stopped"},
    {StopReason::kDeletedByClient, "deleted by the client", "session.deleted"},
    {StopReason::kKilledByAdmin, "killed by admin", "session.killed"},
    {StopReason::kFailedToStart, "failed to start", "session.deleted"},
    {StopReason::kWarmPoolLaunchFailed, "warm pool launch failed", "session.deleted"},
    {StopReason::kWarmPoolUnwanted, "warm pool no longer wants it", "session.deleted"},
    {StopReason::kWarmPoolResized, "warm pool resized", "session.deleted"},
    {StopReason::kWarmPoolStale, "warm pool entry dead or built from an old policy",
     "session.deleted"},
    {StopReason::kWarmPoolDrained, "warm pool drained", "session.deleted"},
};

TEST(StopReason, TextIsWhatClientsSawBefore) {
  for (const auto& row : kTable) EXPECT_EQ(StopReasonText(row.reason), row.text);
}

TEST(StopReason, AuditTypeFollowsTheReasonNotItsText) {
  for (const auto& row : kTable) {
    EXPECT_EQ(StopAuditType(row.reason), row.audit_type) << row.text;
  }
  EXPECT_STREQ(StopAuditType(StopReason::kIdleTimeout), audit_type::kSessionExpired);
  EXPECT_STREQ(StopAuditType(StopReason::kKilledByAdmin), audit_type::kSessionKilled);
}

TEST(StopReason, EveryReasonHasItsOwnText) {
  std::set<std::string> texts;
  for (const auto& row : kTable) EXPECT_TRUE(texts.insert(StopReasonText(row.reason)).second);
  EXPECT_EQ(texts.size(), std::size(kTable));
}

}  // namespace
}  // namespace hotplex::supervisor
