#include "supervisor/gateway/sse_usage_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "supervisor/gateway/json_usage_parser.hpp"

namespace hotplex::gateway {
namespace {

// A Messages API stream as the upstream sends it (abridged content).
const std::string kStream =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\","
    "\"usage\":{\"input_tokens\":25,\"cache_read_input_tokens\":7,"
    "\"cache_creation_input_tokens\":3,\"output_tokens\":1}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\"hello\"}}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
    "\"usage\":{\"output_tokens\":12}}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":15}}\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n";

void ExpectFullUsage(const CallUsage& usage) {
  EXPECT_EQ(usage.model, "claude-x");
  EXPECT_EQ(usage.input_tokens, 25u);
  EXPECT_EQ(usage.cache_read_tokens, 7u);
  EXPECT_EQ(usage.cache_creation_tokens, 3u);
  EXPECT_EQ(usage.output_tokens, 15u);  // the last cumulative message_delta wins
  EXPECT_EQ(usage.Total(), 50u);
  EXPECT_TRUE(usage.error_type.empty());
}

TEST(SseUsageParser, ReadsUsageFromWholeStream) {
  SseUsageParser parser;
  parser.Feed(kStream);
  ExpectFullUsage(parser.Finish());
}

TEST(SseUsageParser, SameUsageForEverySplitPoint) {
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    SseUsageParser parser;
    parser.Feed(std::string_view(kStream).substr(0, cut));
    parser.Feed(std::string_view(kStream).substr(cut));
    SCOPED_TRACE("cut at " + std::to_string(cut));
    ExpectFullUsage(parser.Finish());
  }
}

TEST(SseUsageParser, ByteByByteWithCrLf) {
  std::string crlf;
  for (char c : kStream) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  SseUsageParser parser;
  for (char c : crlf) parser.Feed(std::string_view(&c, 1));
  ExpectFullUsage(parser.Finish());
}

TEST(SseUsageParser, OversizedLineIsSkippedAndCounted) {
  SseUsageParser parser(/*max_line_bytes=*/512);
  const std::string huge = "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"" +
                           std::string(10'000, 'x') + "\"}}\n";
  parser.Feed(huge.substr(0, 300));
  parser.Feed(huge.substr(300, 5000));
  parser.Feed(huge.substr(5300));
  parser.Feed(kStream);
  EXPECT_EQ(parser.OversizedLines(), 1u);
  ExpectFullUsage(parser.Finish());
}

TEST(SseUsageParser, OversizedUsageLineIsNotMetered) {
  SseUsageParser parser(/*max_line_bytes=*/64);
  parser.Feed(kStream);
  const CallUsage usage = parser.Finish();
  EXPECT_EQ(usage.input_tokens, 0u);
  EXPECT_GE(parser.OversizedLines(), 2u);
}

TEST(SseUsageParser, ErrorEventAndGarbage) {
  SseUsageParser parser;
  parser.Feed("data: {not json \"message_start\"\n");
  parser.Feed("data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":-4}}}\n");
  parser.Feed("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}");
  const CallUsage usage = parser.Finish();  // the last line has no newline: still read
  EXPECT_EQ(usage.error_type, "overloaded_error");
  EXPECT_EQ(usage.input_tokens, 0u);
}

TEST(JsonUsageParser, ReadsUsageAndStaysBounded) {
  JsonUsageParser parser;
  parser.Feed(R"({"model":"claude-y","usage":{"input_tokens":3,)");
  parser.Feed(R"("output_tokens":4}})");
  const CallUsage usage = parser.Finish();
  EXPECT_EQ(usage.model, "claude-y");
  EXPECT_EQ(usage.Total(), 7u);

  JsonUsageParser small(/*max_bytes=*/16);
  small.Feed(R"({"model":"claude-y","usage":{"input_tokens":3}})");
  EXPECT_TRUE(small.Overflowed());
  EXPECT_EQ(small.Finish().Total(), 0u);
}

}  // namespace
}  // namespace hotplex::gateway
