// The degraded paths of issue 14 are counted where they happen: each test
// reads a family from the process-wide registry (what /metrics serves), makes
// the event happen, and expects the family to have moved.
#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

#include "supervisor/event_log.hpp"
#include "supervisor/line_splitter.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {
namespace {

// The value of one series ("name" or "name{labels}") in an exposition, 0 if absent.
double Series(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

double Global(const std::string& series) {
  return Series(Metrics::Global().Expose({}, {}), series);
}

TEST(MetricsFeed, CutOutputLinesAreCounted) {
  const double before = Global("hotplex_lines_truncated_total");
  LineSplitter splitter(16);
  int lines = 0;
  splitter.Feed(std::string(100, 'x') + "\nshort\n" + std::string(17, 'y') + "\n",
                [&](std::string_view, bool) { ++lines; });
  EXPECT_EQ(lines, 3);
  EXPECT_EQ(Global("hotplex_lines_truncated_total") - before, 2);
}

TEST(MetricsFeed, SlowConsumersAreCountedWhenTheyOverflowOnBytes) {
  const double before = Global("hotplex_slow_consumer_disconnects_total");
  EventLog log("s", RingLimits{4096, 1u << 20});
  auto slow = log.Subscribe(0, SubscriberLimits{1000, 64 * 1024}, nullptr);
  Text big;
  big.text.assign(40 * 1024, 'a');
  for (int i = 0; i < 4; ++i) log.Publish(big);
  ASSERT_TRUE(slow->Closed());
  EXPECT_EQ(Global("hotplex_slow_consumer_disconnects_total") - before, 1);
}

// The refused path never becomes a label: its errno picks one of four reasons.
TEST(MetricsFeed, WorkdirRefusalsAreCountedByAFixedReason) {
  Metrics metrics;
  for (int err : {ELOOP, ENOTDIR, EXDEV, ENAMETOOLONG, EINVAL, 0}) metrics.WorkdirRefused(err);
  const std::string text = metrics.Expose({}, {});
  EXPECT_EQ(Series(text, "hotplex_workdir_refused_total{reason=\"link\"}"), 2);
  EXPECT_EQ(Series(text, "hotplex_workdir_refused_total{reason=\"outside\"}"), 1);
  EXPECT_EQ(Series(text, "hotplex_workdir_refused_total{reason=\"too_long\"}"), 1);
  EXPECT_EQ(Series(text, "hotplex_workdir_refused_total{reason=\"other\"}"), 2);
}

TEST(MetricsFeed, EveryNewFamilyIsNamedBeforeItsFirstEvent) {
  const std::string text = Metrics().Expose({}, {});
  for (const char* family :
       {"hotplex_workdir_refused_total", "hotplex_transcript_quota_total",
        "hotplex_transcript_dropped_bytes_total", "hotplex_lines_truncated_total",
        "hotplex_audit_witness_failures_total", "hotplex_egress_discarded_bytes_total"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + family + " counter"), std::string::npos) << family;
  }
}

}  // namespace
}  // namespace hotplex::supervisor
