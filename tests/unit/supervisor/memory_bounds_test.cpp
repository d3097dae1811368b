// The per-session byte bounds: the replay ring, a subscriber's queue and how
// a consumer drains it, the size an event is counted at, and the config
// validation that keeps the bounds nested (api/CONFIG.md "Memory per session,
// worst case").
#include <gtest/gtest.h>

#include "supervisor/daemon_config.hpp"
#include "supervisor/event_log.hpp"
#include "supervisor/event_size.hpp"

namespace hotplex::supervisor {
namespace {

Text Big(std::size_t bytes, char c = 'a') {
  Text t;
  t.text.assign(bytes, c);
  return t;
}

std::size_t Footprint(const EventLog& log) { return log.RingBytes(); }

TEST(MemoryBounds, RingIsBoundedInBytesAsWellAsEvents) {
  EventLog log("s", RingLimits{4096, 1u << 20});
  for (int i = 0; i < 40; ++i) log.Publish(Big(100 * 1024));
  EXPECT_LE(Footprint(log), 1u << 20);
  EXPECT_LT(log.Snapshot(0).size(), 10u) << "each 100 KiB line counts raw and encoded";
  EXPECT_GT(log.Dropped(), 30u);
  EXPECT_EQ(log.Snapshot(0).back()->seq, 40u) << "the newest events stay";
}

TEST(MemoryBounds, RingKeepsTheNewestEventEvenWhenLargerThanItsBytes) {
  EventLog log("s", RingLimits{16, 1024});
  log.Publish(Big(10));
  log.Publish(Big(4096));
  ASSERT_EQ(log.Snapshot(0).size(), 1u);
  EXPECT_EQ(log.Snapshot(0).front()->seq, 2u);
}

TEST(MemoryBounds, SubscriberOverflowsOnBytesAndDropsWhatItPinned) {
  EventLog log("s", RingLimits{4096, 1u << 20});
  auto slow = log.Subscribe(0, SubscriberLimits{1000, 1u << 20}, nullptr);
  auto fast = log.Subscribe(0, SubscriberLimits{1000, 64u << 20}, nullptr);
  for (int i = 0; i < 20; ++i) log.Publish(Big(100 * 1024));
  EXPECT_TRUE(slow->Closed()) << "20 events of ~200 KiB footprint exceed 1 MiB";
  EXPECT_EQ(slow->QueuedBytes(), 0u) << "the backlog is dropped, only the final error is left";
  std::vector<EventPtr> got;
  EXPECT_FALSE(slow->Drain(got));
  ASSERT_EQ(got.size(), 1u);
  const auto& error = std::get<ErrorEvent>(got[0]->payload);
  EXPECT_EQ(error.code, ErrorCode::kSlowConsumer);
  EXPECT_NE(error.message.find("bytes"), std::string::npos) << error.message;
  got.clear();
  EXPECT_TRUE(fast->Drain(got));
  EXPECT_EQ(got.size(), 20u);
}

TEST(MemoryBounds, OneEventLargerThanTheQueueStillReachesAReader) {
  EventLog log("s", RingLimits{16, 64u << 20});
  auto sub = log.Subscribe(0, SubscriberLimits{16, 1024}, nullptr);
  log.Publish(Big(8192));
  std::vector<EventPtr> got;
  EXPECT_TRUE(sub->Drain(got));
  EXPECT_EQ(got.size(), 1u);
}

TEST(MemoryBounds, DrainTakesAtMostItsBudgetButAlwaysOneEvent) {
  EventLog log("s", RingLimits{4096, 64u << 20});
  auto sub = log.Subscribe(0, SubscriberLimits{1000, 64u << 20}, nullptr);
  for (int i = 0; i < 10; ++i) log.Publish(Big(100 * 1024));
  std::vector<EventPtr> got;
  EXPECT_TRUE(sub->Drain(got, 1));
  EXPECT_EQ(got.size(), 1u) << "a budget smaller than one event still moves one";
  got.clear();
  EXPECT_TRUE(sub->Drain(got, 500 * 1024));
  EXPECT_EQ(got.size(), 2u) << "~200 KiB each";
  EXPECT_EQ(got.front()->seq, 2u);
  got.clear();
  EXPECT_TRUE(sub->Drain(got));
  EXPECT_EQ(got.size(), 7u);
  EXPECT_EQ(sub->QueuedBytes(), 0u);
}

TEST(MemoryBounds, ReplayCountsTowardsTheQueueButNeverOverflowsIt) {
  EventLog log("s", RingLimits{4096, 4u << 20});
  for (int i = 0; i < 10; ++i) log.Publish(Big(100 * 1024));
  auto sub = log.Subscribe(0, SubscriberLimits{1000, 2u << 20}, nullptr);
  EXPECT_FALSE(sub->Closed());
  EXPECT_GT(sub->QueuedBytes(), 1u << 20);
  for (int i = 0; i < 10; ++i) log.Publish(Big(100 * 1024));
  EXPECT_TRUE(sub->Closed()) << "live events on top of an unread replay overflow";
}

// That the bound covers the text actually written (api/'s encoder) is tested
// in tests/unit/api/event_json_test.cpp.

struct BadBounds {
  const char* yaml;
  const char* expected;
};

TEST(MemoryBounds, ConfigRefusesBoundsThatDoNotNest) {
  const std::vector<BadBounds> cases = {
      {"events: {ring_bytes: 1MiB, max_line_bytes: 1MiB}",
       "events.max_line_bytes: 1048576 bytes is more than half of events.ring_bytes"},
      {"events: {ring_bytes: 32MiB}",
       "events.subscriber_queue_bytes: 16777216 bytes is less than events.ring_bytes"},
      {"transcripts: {session_quota: 2GiB}", "transcripts.session_quota: is larger than"},
      {"transcripts: {tenant_quota: 0}", "transcripts.tenant_quota: expected a positive size"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseDaemonConfig(c.yaml, "c.yaml");
    ASSERT_FALSE(parsed) << c.yaml;
    EXPECT_NE(parsed.error().Describe().find(c.expected), std::string::npos)
        << parsed.error().Describe();
  }
  auto ok = ParseDaemonConfig(
      "events: {ring_bytes: 4MiB, subscriber_queue_bytes: 4MiB, max_line_bytes: 2MiB}\n"
      "transcripts: {session_quota: 1MiB, tenant_quota: 10MiB, queue_bytes: 8MiB}\n",
      "c.yaml");
  ASSERT_TRUE(ok) << ok.error().Describe();
  EXPECT_EQ(ok->events.ring_bytes, 4u << 20);
  EXPECT_EQ(ok->transcripts.tenant_quota, 10u << 20);
  EXPECT_EQ(ok->transcripts.queue_bytes, 8u << 20);
}

}  // namespace
}  // namespace hotplex::supervisor
