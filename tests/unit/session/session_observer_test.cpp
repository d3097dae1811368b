// Session observers and stop reasons, without a sandbox: every published event
// reaches each observer in order, the audit observer writes the records derived
// from events, and a stop's audit type follows its StopReason.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "supervisor/metrics/metrics.hpp"
#include "supervisor/session.hpp"
#include "supervisor/session_audit_observer.hpp"
#include "supervisor/session_metrics_observer.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::supervisor {
namespace {

class RecordingAudit final : public AuditSink {
 public:
  void Append(AuditRecord record, AuditDone done) override {
    records.push_back(std::move(record));
    if (done) done({});
  }
  bool Healthy() const override { return true; }
  std::vector<AuditRecord> records;
};

class RecordingObserver final : public SessionObserver {
 public:
  void OnEvent(const SessionKey& session, const EventPayload& payload) override {
    sessions.push_back(session.session_id);
    events.push_back(payload);
  }
  std::vector<std::string> sessions;
  std::vector<EventPayload> events;
};

struct SessionFixture {
  testing::TempDir dir;
  boost::asio::io_context io;
  RecordingAudit audit;
  std::shared_ptr<RecordingObserver> observer = std::make_shared<RecordingObserver>();

  SessionPtr Make() {
    SessionRecord record;
    record.id = "s-1";
    record.tenant_id = "team-a";
    record.home = dir.Path() + "/home";
    SessionDeps deps;
    deps.io = &io;
    deps.policy = std::make_shared<const SessionPolicy>();
    deps.audit = &audit;
    deps.observers = {observer};
    return std::make_shared<Session>(std::move(record), std::move(deps));
  }

  std::vector<Status> Statuses() const {
    std::vector<Status> out;
    for (const auto& e : observer->events) {
      if (const auto* s = std::get_if<Status>(&e)) out.push_back(*s);
    }
    return out;
  }
};

TEST(SessionObserver, GetsEveryStateChangeInOrder) {
  SessionFixture f;
  auto session = f.Make();
  session->Stop(StopReason::kIdleTimeout);
  session->Delete(StopReason::kKilledByAdmin);
  const auto statuses = f.Statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].state, SessionState::kStopped);
  EXPECT_EQ(statuses[0].reason, "idle timeout");
  EXPECT_EQ(statuses[1].state, SessionState::kDead);
  EXPECT_EQ(statuses[1].reason, "killed by admin");
  EXPECT_EQ(f.observer->events.size(), f.observer->sessions.size());
  for (const auto& id : f.observer->sessions) EXPECT_EQ(id, "s-1");
}

TEST(SessionObserver, StopAuditTypeComesFromTheReason) {
  SessionFixture f;
  f.Make()->Delete(StopReason::kKilledByAdmin);
  SessionFixture g;
  g.Make()->Delete(StopReason::kDeletedByClient);
  ASSERT_EQ(f.audit.records.size(), 1u);
  EXPECT_EQ(f.audit.records[0].type, audit_type::kSessionKilled);
  EXPECT_EQ(f.audit.records[0].data["reason"], "killed by admin");
  ASSERT_EQ(g.audit.records.size(), 1u);
  EXPECT_EQ(g.audit.records[0].type, audit_type::kSessionDeleted);
  EXPECT_EQ(g.audit.records[0].data["reason"], "deleted by the client");
}

TEST(SessionAuditObserver, AsksAndOutcomesBecomeRecords) {
  RecordingAudit audit;
  SessionAuditObserver observer(audit);
  const std::string tenant = "team-a", id = "s-2";
  PermissionRequest ask;
  ask.request_id = "r1";
  ask.tool = "Write";
  ask.rule = "tools.ask";
  observer.OnEvent({tenant, id}, ask);
  observer.OnEvent({tenant, id}, Text{});
  observer.OnEvent({tenant, id}, Exit{sandbox::OutcomeKind::kExited, 0, "exited with 0"});
  ASSERT_EQ(audit.records.size(), 2u);
  EXPECT_EQ(audit.records[0].type, audit_type::kToolDecision);
  EXPECT_EQ(audit.records[0].actor, "policy");
  EXPECT_EQ(audit.records[0].data["decision"], "ask");
  EXPECT_EQ(audit.records[0].session, "s-2");
  EXPECT_EQ(audit.records[1].type, audit_type::kSandboxOutcome);
  EXPECT_EQ(audit.records[1].data["code"], 0);
}

TEST(SessionMetricsObserver, CountsDecisionsPerTenant) {
  SessionMetricsObserver observer(Metrics::Global());
  const std::string tenant = "observer-test-tenant", id = "s-3";
  PermissionDecision denied;
  denied.allowed = false;
  denied.rule = "destructive.rm";
  denied.category = "destructive";
  observer.OnEvent({tenant, id}, denied);
  const std::string text = Metrics::Global().Expose({}, {});
  EXPECT_NE(text.find("observer-test-tenant"), std::string::npos);
  EXPECT_NE(text.find("destructive.rm"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::supervisor
