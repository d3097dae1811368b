// SseParser: the event-stream grammar as hotplexd chat reads it, fed in any
// split, with the size bound.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/cli/cli_chat_sse.hpp"

namespace hotplex::cli {
namespace {

std::vector<SseEvent> Parse(const std::string& wire, std::size_t chunk = 0,
                            std::size_t max_bytes = 1024, SseParser* out = nullptr) {
  SseParser local(max_bytes);
  SseParser& parser = out != nullptr ? *out : local;
  std::vector<SseEvent> events;
  const auto sink = [&](SseEvent&& e) { events.push_back(std::move(e)); };
  if (chunk == 0) chunk = wire.size();
  for (std::size_t i = 0; i < wire.size(); i += chunk) parser.Feed(wire.substr(i, chunk), sink);
  return events;
}

TEST(ChatSse, ParsesIdEventAndData) {
  auto events = Parse("id: 42\nevent: text\ndata: {\"seq\":42}\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "42");
  EXPECT_EQ(events[0].event, "text");
  EXPECT_EQ(events[0].data, "{\"seq\":42}");
}

TEST(ChatSse, ByteByByteGivesTheSameEvents) {
  const std::string wire = "id: 1\ndata: a\n\n: keep-alive\n\nid: 2\ndata: b\n\n";
  auto whole = Parse(wire);
  auto bytes = Parse(wire, 1);
  ASSERT_EQ(whole.size(), 2u);
  ASSERT_EQ(bytes.size(), 2u);
  EXPECT_EQ(bytes[1].id, "2");
  EXPECT_EQ(bytes[1].data, "b");
}

TEST(ChatSse, CommentsAloneAreNoEvents) {
  EXPECT_TRUE(Parse(": keep-alive\n\n: keep-alive\n\n").empty());
}

TEST(ChatSse, EveryLineEndingCounts) {
  for (const std::string wire : {"data: x\r\n\r\n", "data: x\r\r", "data: x\n\n"}) {
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
      auto events = Parse(wire, chunk);
      ASSERT_EQ(events.size(), 1u) << "wire with escapes, chunk " << chunk;
      EXPECT_EQ(events[0].data, "x");
    }
  }
}

TEST(ChatSse, DataLinesJoinWithNewlinesAndOneSpaceIsStripped) {
  auto events = Parse("data:a\ndata:  b\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\n b");
}

TEST(ChatSse, HalfAnEventIsNotDelivered) {
  EXPECT_TRUE(Parse("id: 3\ndata: {\"seq\":3").empty());
  EXPECT_TRUE(Parse("id: 3\ndata: {\"seq\":3}\n").empty());
}

TEST(ChatSse, OversizedEventIsDroppedWholeAndCountedThenParsingGoesOn) {
  SseParser parser(64);
  const std::string big(200, 'x');
  auto events = Parse("data: " + big + "\ndata: more\n\nid: 9\ndata: small\n\n", 7, 64, &parser);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "9");
  EXPECT_EQ(events[0].data, "small");
  EXPECT_EQ(parser.Oversized(), 1u);
}

TEST(ChatSse, ManyLinesOfOneEventCountTowardsTheBound) {
  SseParser parser(64);
  std::string wire;
  for (int i = 0; i < 20; ++i) wire += "data: 0123456789\n";
  auto events = Parse(wire + "\n", 0, 64, &parser);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(parser.Oversized(), 1u);
}

TEST(ChatSse, ResetForgetsAHalfEvent) {
  SseParser parser(1024);
  std::vector<SseEvent> events;
  const auto sink = [&](SseEvent&& e) { events.push_back(std::move(e)); };
  parser.Feed("data: cut", sink);
  parser.Reset();
  parser.Feed("data: whole\n\n", sink);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "whole");
}

}  // namespace
}  // namespace hotplex::cli
