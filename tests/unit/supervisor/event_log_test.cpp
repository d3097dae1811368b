#include "supervisor/event_log.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

Text MakeText(std::string text) {
  Text t;
  t.text = std::move(text);
  return t;
}

std::vector<std::uint64_t> Seqs(const std::vector<EventPtr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e->seq);
  return out;
}

TEST(EventLog, NumbersEventsFromFirstSeq) {
  EventLog log("s1", 8, 41);
  EXPECT_EQ(log.Publish(MakeText("a"))->seq, 41u);
  EXPECT_EQ(log.Publish(MakeText("b"))->seq, 42u);
  EXPECT_EQ(log.LastSeq(), 42u);
  EXPECT_EQ(log.Snapshot(0).front()->session_id, "s1");
}

TEST(EventLog, RingDropsOldestAndCountsThem) {
  EventLog log("s", 3);
  for (int i = 0; i < 5; ++i) log.Publish(MakeText(std::to_string(i)));
  EXPECT_EQ(Seqs(log.Snapshot(0)), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(log.Dropped(), 2u);
}

TEST(EventLog, SubscribeReplaysAfterThenStreamsWithoutGap) {
  EventLog log("s", 16);
  for (int i = 0; i < 4; ++i) log.Publish(MakeText("x"));
  int notified = 0;
  auto sub = log.Subscribe(2, 16, [&] { ++notified; });
  log.Publish(MakeText("live"));
  std::vector<EventPtr> got;
  EXPECT_TRUE(sub->Drain(got));
  EXPECT_EQ(Seqs(got), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_GE(notified, 1);
}

TEST(EventLog, ReplayFromBeforeTheRingStartsWithEventsLost) {
  EventLog log("s", 2);
  for (int i = 0; i < 5; ++i) log.Publish(MakeText("x"));
  auto sub = log.Subscribe(0, 16, nullptr);
  std::vector<EventPtr> got;
  sub->Drain(got);
  ASSERT_EQ(got.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<ErrorEvent>(got[0]->payload));
  EXPECT_EQ(std::get<ErrorEvent>(got[0]->payload).code, ErrorCode::kEventsLost);
  EXPECT_EQ(Seqs({got[1], got[2]}), (std::vector<std::uint64_t>{4, 5}));
}

TEST(EventLog, SlowSubscriberIsCutOffWithAFinalErrorAndOthersContinue) {
  EventLog log("s", 64);
  auto slow = log.Subscribe(0, 2, nullptr);
  auto fast = log.Subscribe(0, 64, nullptr);
  for (int i = 0; i < 5; ++i) log.Publish(MakeText("x"));
  std::vector<EventPtr> got;
  EXPECT_FALSE(slow->Drain(got));
  ASSERT_EQ(got.size(), 1u);
  const auto& error = std::get<ErrorEvent>(got[0]->payload);
  EXPECT_EQ(error.code, ErrorCode::kSlowConsumer);
  EXPECT_NE(error.message.find("after=0"), std::string::npos) << error.message;
  got.clear();
  EXPECT_TRUE(fast->Drain(got));
  EXPECT_EQ(got.size(), 5u);
  EXPECT_EQ(log.SubscriberCount(), 1u);
}

TEST(EventLog, ReplayLargerThanTheQueueIsDeliveredThenTheLimitAppliesToLiveEvents) {
  EventLog log("s", 100);
  for (int i = 0; i < 50; ++i) log.Publish(MakeText("x"));
  auto sub = log.Subscribe(0, 4, nullptr);
  log.Publish(MakeText("live1"));
  std::vector<EventPtr> got;
  EXPECT_TRUE(sub->Drain(got));
  EXPECT_EQ(got.size(), 51u);
  for (int i = 0; i < 5; ++i) log.Publish(MakeText("burst"));
  got.clear();
  EXPECT_FALSE(sub->Drain(got)) << "5 live events into a queue of 4";
  EXPECT_EQ(std::get<ErrorEvent>(got.back()->payload).code, ErrorCode::kSlowConsumer);
  EXPECT_NE(std::get<ErrorEvent>(got.back()->payload).message.find("after=51"), std::string::npos);
}

TEST(EventLog, CloseAllDeliversBacklogThenFinalEvent) {
  EventLog log("s", 8);
  auto sub = log.Subscribe(0, 8, nullptr);
  log.Publish(MakeText("x"));
  log.CloseAll(ErrorEvent{ErrorCode::kSessionDeleted, "bye"});
  std::vector<EventPtr> got;
  EXPECT_FALSE(sub->Drain(got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]->seq, 0u);
  EXPECT_EQ(std::get<ErrorEvent>(got[1]->payload).code, ErrorCode::kSessionDeleted);
  EXPECT_EQ(log.SubscriberCount(), 0u);
}

TEST(EventLog, ClosedSubscriptionIsForgottenOnNextPublish) {
  EventLog log("s", 8);
  auto sub = log.Subscribe(0, 8, nullptr);
  sub->Close();
  log.Publish(MakeText("x"));
  EXPECT_EQ(log.SubscriberCount(), 0u);
}

TEST(EventLog, EventTypeNamesMatchTheProtocol) {
  EXPECT_STREQ(EventTypeName(Status{}), "status");
  EXPECT_STREQ(EventTypeName(PermissionDecision{}), "permission_decision");
  EXPECT_STREQ(EventTypeName(ErrorEvent{}), "error");
  EXPECT_STREQ(EventTypeName(Exit{}), "exit");
  EXPECT_STREQ(EventTypeName(TurnEnd{}), "turn_end");
}

}  // namespace
}  // namespace hotplex::supervisor
