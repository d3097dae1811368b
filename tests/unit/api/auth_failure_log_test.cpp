// AuthFailureLog: auth.failure records aggregated per source and window, with
// a bound on the sources tracked. A fake sink keeps what would be audited.
#include "supervisor/auth_failure_log.hpp"

#include <gtest/gtest.h>

#include <mutex>

namespace hotplex::supervisor {
namespace {

using std::chrono::milliseconds;
using Clock = AuthFailureLog::Clock;

class FakeSink : public AuditSink {
 public:
  void Append(AuditRecord record, AuditDone done) override {
    std::lock_guard lock(mu_);
    records.push_back(std::move(record));
    if (done) done({});
  }
  bool Healthy() const override { return true; }
  std::vector<AuditRecord> records;

 private:
  std::mutex mu_;
};

AuthFailure From(const std::string& address, const std::string& reason = "unknown API key") {
  return {"api", address, reason, "/v1/sessions", "sessions"};
}

std::uint64_t Total(const std::vector<AuditRecord>& records) {
  std::uint64_t n = 0;
  for (const auto& r : records) n += r.data["count"].get<std::uint64_t>();
  return n;
}

TEST(AuthFailureLog, FirstFailureIsWrittenAtOnceTheRestAsOneSummaryPerWindow) {
  FakeSink sink;
  AuthFailureLog log(&sink, {milliseconds(1000), 16});
  const auto t0 = Clock::now();
  log.Record(From("10.0.0.1", "no bearer token"), t0);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].type, audit_type::kAuthFailure);
  EXPECT_EQ(sink.records[0].actor, "anonymous@10.0.0.1");
  EXPECT_EQ(sink.records[0].data["count"], 1);
  EXPECT_EQ(sink.records[0].data["reason"], "no bearer token");
  EXPECT_EQ(sink.records[0].data["route"], "sessions");
  for (int i = 1; i < 3000; ++i) log.Record(From("10.0.0.1"), t0 + milliseconds(i % 900));
  log.FlushDue(t0 + milliseconds(999));
  EXPECT_EQ(sink.records.size(), 1u) << "the window is still open";
  log.FlushDue(t0 + milliseconds(1000));
  ASSERT_EQ(sink.records.size(), 2u);
  const auto& summary = sink.records[1].data;
  EXPECT_EQ(summary["count"], 2999);
  EXPECT_EQ(summary["aggregated"], true);
  EXPECT_EQ(summary["reasons"]["unknown API key"], 2999);
  EXPECT_EQ(summary["reason"], "unknown API key");
  EXPECT_EQ(Total(sink.records), 3000u);
}

TEST(AuthFailureLog, ASourceStillFailingContinuesWithoutAnImmediateRecord) {
  FakeSink sink;
  AuthFailureLog log(&sink, {milliseconds(100), 16});
  const auto t0 = Clock::now();
  log.Record(From("10.0.0.1"), t0);
  log.Record(From("10.0.0.1"), t0 + milliseconds(50));
  // The next failure after the window: the old window is summarised first.
  log.Record(From("10.0.0.1"), t0 + milliseconds(150));
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[1].data["count"], 1);
  log.FlushDue(t0 + milliseconds(300));
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[2].data["aggregated"], true);
  EXPECT_EQ(Total(sink.records), 3u);
  // Quiet for a whole window: forgotten; the next failure is written at once.
  log.FlushDue(t0 + milliseconds(500));
  EXPECT_EQ(log.TrackedSources(), 0u);
  log.Record(From("10.0.0.1"), t0 + milliseconds(600));
  ASSERT_EQ(sink.records.size(), 4u);
  EXPECT_FALSE(sink.records[3].data.contains("aggregated"));
}

TEST(AuthFailureLog, ListenersAndAddressesAreSeparateSources) {
  FakeSink sink;
  AuthFailureLog log(&sink, {milliseconds(1000), 16});
  const auto t0 = Clock::now();
  log.Record(From("10.0.0.1"), t0);
  log.Record(From("10.0.0.2"), t0);
  log.Record({"admin", "10.0.0.1", "wrong admin token", "/admin/v1/stats", ""}, t0);
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[2].data["listener"], "admin");
  EXPECT_FALSE(sink.records[2].data.contains("route"));
  EXPECT_EQ(log.TrackedSources(), 3u);
}

TEST(AuthFailureLog, SourcesBeyondTheBoundAreCountedTogether) {
  FakeSink sink;
  AuthFailureLog log(&sink, {milliseconds(1000), 4});
  const auto t0 = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    log.Record(From("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250)), t0);
  }
  EXPECT_EQ(log.TrackedSources(), 4u);
  log.FlushAll();
  // 4 tracked sources + the overflow source's first record and its summary.
  ASSERT_EQ(sink.records.size(), 6u);
  EXPECT_EQ(Total(sink.records), 1000u);
  const auto& overflow = sink.records[4];
  EXPECT_EQ(overflow.data["address"], "*");
  EXPECT_EQ(overflow.data["overflow"], true);
  EXPECT_EQ(sink.records[5].data["count"], 995);
}

TEST(AuthFailureLog, QuietSourcesMakeRoomForNewOnes) {
  FakeSink sink;
  AuthFailureLog log(&sink, {milliseconds(100), 2});
  const auto t0 = Clock::now();
  log.Record(From("10.0.0.1"), t0);
  log.Record(From("10.0.0.2"), t0);
  log.Record(From("10.0.0.3"), t0 + milliseconds(200));  // the first two are over
  EXPECT_EQ(sink.records.back().data["address"], "10.0.0.3");
  EXPECT_EQ(log.TrackedSources(), 1u);
}

TEST(AuthFailureLog, LongPathsAreCutAndNoSinkIsFine) {
  FakeSink sink;
  AuthFailureLog log(&sink, {milliseconds(1000), 4});
  log.Record({"api", "10.0.0.1", "no bearer token", std::string(5000, 'x'), ""});
  EXPECT_EQ(sink.records[0].data["path"].get<std::string>().size(), 256u);
  AuthFailureLog silent(nullptr, {});
  silent.Record(From("10.0.0.1"));
  silent.FlushAll();
  SUCCEED();
}

}  // namespace
}  // namespace hotplex::supervisor
