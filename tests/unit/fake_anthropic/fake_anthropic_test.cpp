// Unit tests of the fake Messages API's pieces: script parsing, reply picking, encoding.
#include <gtest/gtest.h>

#include "tests/fake_anthropic/reply_encoder.hpp"
#include "tests/fake_anthropic/reply_picker.hpp"
#include "tests/fake_anthropic/script.hpp"

namespace hotplex::fake_anthropic {
namespace {

using nlohmann::json;

json UserPrompt(const std::string& text) {
  return {{"messages",
           json::array(
               {{{"role", "user"},
                 {"content",
                  json::array({{{"type", "text"}, {"text", "<system-reminder>x</system-reminder>"}},
                               {{"type", "text"}, {"text", text}}})}},
                {{"role", "system"}, {"content", "# Environment"}}})}};
}

json ToolResultFollowUp() {
  return {{"messages",
           json::array(
               {{{"role", "user"}, {"content", "do it"}},
                {{"role", "assistant"}, {"content", json::array({{{"type", "tool_use"}}})}},
                {{"role", "user"},
                 {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", "t"}}})}}})}};
}

Script Parse(const std::string& text) {
  auto script = ParseScript(text);
  if (!script) throw std::runtime_error(script.error().message);
  return std::move(*script);
}

std::vector<std::string> Names(const std::vector<SseEvent>& events) {
  std::vector<std::string> names;
  names.reserve(events.size());
  for (const auto& e : events) names.push_back(e.name);
  return names;
}

TEST(FakeAnthropicScript, BareRepliesAndTurnsParse) {
  const Script s = Parse(R"({"turns":[{"text":"hi","delay_ms":5},
      {"match":"x","repeat":true,"replies":[{"tool_use":{"name":"Bash","input":{"command":"ls"}}},{"text":"ok"}]}],
      "default_reply":{"text":"dflt"}})");
  ASSERT_EQ(s.turns.size(), 2u);
  EXPECT_EQ(s.turns[0].replies[0].text, "hi");
  EXPECT_EQ(s.turns[0].replies[0].delay_ms, 5);
  EXPECT_EQ(s.turns[1].match, "x");
  EXPECT_TRUE(s.turns[1].repeat);
  ASSERT_TRUE(s.turns[1].replies[0].tool_use.has_value());
  EXPECT_EQ(s.turns[1].replies[0].tool_use->input["command"], "ls");
  EXPECT_EQ(s.turns[1].replies[0].StopReason(), "tool_use");
  EXPECT_EQ(s.turns[1].replies[1].StopReason(), "end_turn");
  EXPECT_EQ(s.default_reply.text, "dflt");
}

TEST(FakeAnthropicScript, BadScriptsAreErrorsThatNameTheTurn) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "script:"},
      {"[1,2]", "must be a JSON object"},
      {R"({"turns":[{"replies":[]}]})", "turns[0]"},
      {R"({"turns":[{"text":"a"},{"tool_use":{"input":{}}}]})", "turns[1]"},
      {R"({"turns":[{"text":"a","chunk_size":0}]})", "chunk_size"},
      {R"({"turns":[7]})", "turns[0]"},
  };
  for (const auto& [text, needle] : cases) {
    auto script = ParseScript(text);
    ASSERT_FALSE(script) << text;
    EXPECT_NE(script.error().message.find(needle), std::string::npos)
        << text << " -> " << script.error().message;
  }
}

TEST(FakeAnthropicPicker, PromptTextIsTheLastUserMessagesTextAfterAnyToolResult) {
  EXPECT_EQ(PromptText(UserPrompt("hello")), "<system-reminder>x</system-reminder>\nhello");
  json merged = {
      {"messages",
       json::array({{{"role", "user"},
                     {"content", json::array({{{"type", "text"}, {"text", "old"}},
                                              {{"type", "tool_result"}},
                                              {{"type", "text"}, {"text", "new"}}})}}})}};
  EXPECT_EQ(PromptText(merged), "new");
  EXPECT_FALSE(IsToolResultFollowUp(merged));
  EXPECT_TRUE(IsToolResultFollowUp(ToolResultFollowUp()));
  EXPECT_EQ(PromptText(json::object()), "");
}

TEST(FakeAnthropicPicker, MatchedTurnsWinThenInOrderThenDefault) {
  ReplyPicker picker(Parse(R"({"turns":[{"text":"first"},{"match":"banana","text":"fruit"},
      {"text":"second"}],"default_reply":{"text":"default"}})"));
  EXPECT_EQ(picker.Pick(UserPrompt("a banana please"), "s").text, "fruit");
  EXPECT_EQ(picker.Pick(UserPrompt("banana again"), "s").text, "first");  // used up
  EXPECT_EQ(picker.Pick(UserPrompt("x"), "s").text, "second");
  EXPECT_EQ(picker.Pick(UserPrompt("x"), "s").text, "default");
}

TEST(FakeAnthropicPicker, ToolResultFollowUpsContinueTheirConversationsTurn) {
  ReplyPicker picker(Parse(R"({"turns":[{"match":"go","repeat":true,"replies":[
      {"tool_use":{"name":"Bash","input":{}}},{"text":"after tool"}]}],
      "default_reply":{"text":"default"}})"));
  EXPECT_TRUE(picker.Pick(UserPrompt("go"), "a").tool_use.has_value());
  EXPECT_TRUE(picker.Pick(UserPrompt("go"), "b").tool_use.has_value());  // repeat: true
  EXPECT_EQ(picker.Pick(ToolResultFollowUp(), "a").text, "after tool");
  EXPECT_EQ(picker.Pick(ToolResultFollowUp(), "a").text, "default");  // turn exhausted
  EXPECT_EQ(picker.Pick(ToolResultFollowUp(), "b").text, "after tool");
}

TEST(FakeAnthropicEncoder, StreamHasTheMessagesApiEventOrder) {
  Reply reply;
  reply.thinking = "hmm";
  reply.text = "abcdefghij";
  reply.chunk_size = 4;
  reply.tool_use = ToolUse{"", "Bash", {{"command", "ls"}}};
  const auto events = EncodeStream(reply, {"m", "msg_1", "toolu_1"});
  const std::vector<std::string> expected = {
      "message_start",       "content_block_start", "content_block_delta", "content_block_delta",
      "content_block_stop",  "content_block_start", "content_block_delta", "content_block_delta",
      "content_block_delta", "content_block_stop",  "content_block_start", "content_block_delta",
      "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
      "message_delta",       "message_stop"};
  EXPECT_EQ(Names(events), expected);
  EXPECT_EQ(events[2].data["delta"]["type"], "thinking_delta");
  EXPECT_EQ(events[3].data["delta"]["type"], "signature_delta");
  EXPECT_EQ(events[6].data["delta"]["text"], "abcd");
  EXPECT_EQ(events[10].data["content_block"]["id"], "toolu_1");
  std::string partial;
  for (int i = 11; i <= 14; ++i) {
    EXPECT_EQ(events[i].data["delta"]["type"], "input_json_delta");
    partial += events[i].data["delta"]["partial_json"].get<std::string>();
  }
  EXPECT_EQ(json::parse(partial), json({{"command", "ls"}}));
  EXPECT_EQ(events[16].data["delta"]["stop_reason"], "tool_use");
  EXPECT_EQ(events[0].data["message"]["id"], "msg_1");
  EXPECT_EQ(FormatSse(events.back()), "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

TEST(FakeAnthropicEncoder, DelaysApplyToDeltasAndTheFirstByte) {
  Reply reply;
  reply.text = "abcdef";
  reply.chunk_size = 2;
  reply.delay_ms = 7;
  reply.first_byte_delay_ms = 30;
  const auto events = EncodeStream(reply, {"m", "msg", "t"});
  EXPECT_EQ(events[0].delay_ms, 30);
  for (const auto& e : events) {
    if (e.name == "content_block_delta") {
      EXPECT_EQ(e.delay_ms, 7);
    }
  }
}

TEST(FakeAnthropicEncoder, NonStreamingMessageHasAllBlocksAndTheStopReason) {
  Reply reply;
  reply.text = "hi";
  reply.tool_use = ToolUse{"", "Read", {{"file_path", "/x"}}};
  const json m = EncodeMessage(reply, {"model-x", "msg_9", "toolu_9"});
  EXPECT_EQ(m["model"], "model-x");
  ASSERT_EQ(m["content"].size(), 2u);
  EXPECT_EQ(m["content"][1]["input"]["file_path"], "/x");
  EXPECT_EQ(m["stop_reason"], "tool_use");
  EXPECT_EQ(m["usage"]["output_tokens"], 5);
}

TEST(FakeAnthropicEncoder, SplitUtf8NeverCutsACharacter) {
  const std::string text =
      "a\xC3\xA9"
      "b\xE2\x82\xAC";  // a é b €
  std::string joined;
  for (const auto& piece : SplitUtf8(text, 1)) {
    EXPECT_FALSE(json(piece).dump().empty());  // throws on invalid UTF-8
    joined += piece;
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(SplitUtf8(text, 1).size(), 4u);
  EXPECT_TRUE(SplitUtf8("", 3).empty());
}

}  // namespace
}  // namespace hotplex::fake_anthropic
