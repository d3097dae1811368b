// The event wire format (api/event_json.hpp): the JSON of typed codes, the
// size bound the supervisor counts events at, and one encoded buffer shared by
// every subscriber instead of a copy each.
#include "api/event_json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "supervisor/event_log.hpp"
#include "supervisor/event_size.hpp"

namespace hotplex::api {
namespace {
namespace sv = supervisor;

sv::Event Of(sv::EventPayload payload) {
  sv::Event e;
  e.seq = 123456789;
  e.session_id = "5f0c3a52-7d7e-4a43-9a55-0f6b0d2a8c11";
  e.payload = std::move(payload);
  return e;
}

TEST(EventJson, TypedCodesKeepTheirWireText) {
  const auto error = EventToJson(Of(sv::ErrorEvent{sv::ErrorCode::kSlowConsumer, "m"}));
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["data"]["code"], "slow_consumer");
  const auto exit =
      EventToJson(Of(sv::Exit{sandbox::OutcomeKind::kOomKilled, 137, "killed: out of memory"}));
  EXPECT_EQ(exit["data"]["outcome"], "oom_killed");
  EXPECT_EQ(exit["data"]["code"], 137);
  EXPECT_EQ(
      *EventToJsonText(Of(sv::ErrorEvent{sv::ErrorCode::kAgentExited, "bye"})),
      R"({"data":{"code":"agent_exited","message":"bye"},"seq":123456789,)"
      R"("session_id":"5f0c3a52-7d7e-4a43-9a55-0f6b0d2a8c11","ts":"1970-01-01T00:00:00.000Z",)"
      R"("type":"error"})");
}

TEST(EventJson, SseFrameIsHeadTextAndEnd) {
  const auto e = Of(sv::Text{"hi", true, false, ""});
  std::string frame;
  AppendSseFrame(frame, e);
  EXPECT_EQ(frame, "id: 123456789\nevent: text\ndata: " + *EventToJsonText(e) + "\n\n");
  auto unnumbered = e;
  unnumbered.seq = 0;
  EXPECT_EQ(SseFrameHead(unnumbered), "event: text\ndata: ");
}

// The transcript quotas and the ring rely on the bound being an upper bound
// of the text actually written.
TEST(EventJson, EncodedBoundCoversTheEncodedText) {
  const std::vector<std::string> texts = {
      "plain",    std::string(1000, '\0'),         std::string(1000, '"'), "\xff\xfe\xc3",
      "é ü 漢字", std::string(5000, '\x1f') + "\\"};
  for (const auto& text : texts) {
    const auto e = Of(sv::Text{text, false, true, "stderr"});
    const auto size = sv::MeasureEvent(e);
    EXPECT_GE(size.encoded_bound, EventToJsonText(e)->size() + 1) << text.size();
    EXPECT_GE(size.footprint, size.encoded_bound + text.size());
  }
  const auto tool =
      Of(sv::ToolUse{"id", "Bash", {{"command", std::string(300, '\n')}, {"n", {1, 2, 3}}}});
  EXPECT_GE(sv::MeasureEvent(tool).encoded_bound, EventToJsonText(tool)->size() + 1);
  // The longest names of the enum-typed fields, with nothing else to pad the bound.
  for (const auto& payload : std::vector<sv::EventPayload>{
           sv::ErrorEvent{sv::ErrorCode::kUnsupportedControlRequest, ""},
           sv::Exit{sandbox::OutcomeKind::kSetupFailed, -2147483647 - 1, ""}}) {
    auto e = Of(payload);
    e.session_id.clear();
    EXPECT_GE(sv::MeasureEvent(e).encoded_bound, EventToJsonText(e)->size() + 1)
        << *EventToJsonText(e);
  }
}

TEST(EventJson, SubscribersShareOneEncodedBuffer) {
  constexpr int kSubscribers = 8;
  sv::EventLog log("s", sv::RingLimits{});
  std::vector<sv::SubscriptionPtr> subs;
  for (int i = 0; i < kSubscribers; ++i) subs.push_back(log.Subscribe(0, {}, nullptr));
  log.Publish(sv::Text{std::string(4096, 'x'), true, false, ""});
  std::vector<std::shared_ptr<const std::string>> texts;
  for (const auto& sub : subs) {
    std::vector<sv::EventPtr> got;
    ASSERT_TRUE(sub->Drain(got));
    ASSERT_EQ(got.size(), 1u);
    texts.push_back(EventToJsonText(*got[0]));
  }
  for (const auto& text : texts) EXPECT_EQ(text.get(), texts.front().get()) << "a copy";
  // The subscribers' handles plus the event's own cache: nobody holds a copy.
  EXPECT_EQ(texts.front().use_count(), kSubscribers + 1);
  EXPECT_EQ(texts.front()->size(), EventToJsonText(*log.Snapshot(0).front())->size());
}

TEST(EventJson, AnEventWithoutACacheSlotIsEncodedEachTime) {
  const auto e = Of(sv::Text{"x", true, false, ""});
  ASSERT_EQ(e.encoded, nullptr);
  const auto a = EventToJsonText(e);
  const auto b = EventToJsonText(e);
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace hotplex::api
