// What hotplexd chat prints: agent text cannot drive the terminal, tool calls
// and decisions are one line each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "api/cli/cli_chat_render.hpp"

namespace hotplex::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json Event(const std::string& type, json data) {
  return {{"seq", 1}, {"type", type}, {"data", data}};
}

// No byte a terminal acts on may survive: C0 (but \t, \n), DEL, C1 (UTF-8
// encoded or raw), and nothing that reorders text.
bool HasNoControls(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return false;
    if (s.compare(i, 3, "\xE2\x80\xAE") == 0 || s.compare(i, 3, "\xE2\x81\xA6") == 0) return false;
  }
  return true;
}

TEST(ChatRender, EscapesWhatCouldDriveTheTerminal) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},                      // OSC: window title
      {"\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"},                            // clear screen, cursor home
      {"\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07"},  // OSC 52 clipboard
      {"ok\rFAKE", "ok\\x0dFAKE"},                                     // overwrite the line
      {"a\x7f"
       "b",
       "a\\x7fb"},
      {"\xc2\x9b"
       "31m",
       "\\u009b31m"},  // C1 CSI, UTF-8 encoded
      {"\x9b"
       "31m",
       "\\x9b31m"},  // C1 CSI, raw byte (invalid UTF-8)
      {"\xe2\x80\xae"
       "txt.exe",
       "\\u202etxt.exe"},  // right-to-left override
      {"\xe2\x81\xa6"
       "x",
       "\\u2066x"},                         // left-to-right isolate
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},  // a surrogate is not UTF-8
      {"\xc0\xaf", "\\xc0\\xaf"},           // overlong '/'
      {"caf\xc3\xa9 \xf0\x9f\x9a\x80\ttab", "caf\xc3\xa9 \xf0\x9f\x9a\x80\ttab"},  // kept
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TerminalSafe(c.in, true), c.out) << c.out;
    EXPECT_TRUE(HasNoControls(TerminalSafe(c.in, true))) << c.out;
  }
}

TEST(ChatRender, NewlinesAreKeptOnlyWhenAsked) {
  EXPECT_EQ(TerminalSafe("a\nb", true), "a\nb");
  EXPECT_EQ(TerminalSafe("a\nb", false), "a\\x0ab");
}

TEST(ChatRender, EveryByteValueComesOutSafe) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_TRUE(HasNoControls(TerminalSafe(all, true)));
}

TEST(ChatRender, DeltasStreamAsTheyCome) {
  ChatRenderer r;
  EXPECT_EQ(r.Render(Event("text", {{"text", "Hel"}, {"delta", true}})), "Hel");
  EXPECT_EQ(r.Render(Event("text", {{"text", "lo\x1b[2J"}, {"delta", true}})), "lo\\x1b[2J");
  // A one-line item after half a line starts on a line of its own.
  EXPECT_EQ(r.Render(Event("tool_use", {{"name", "Bash"}, {"input", {{"command", "ls"}}}})),
            "\n[tool] Bash: ls\n");
}

TEST(ChatRender, ToolCallsAreOneLine) {
  EXPECT_EQ(ToolSummary("Bash", {{"command", "echo a\necho b"}}, 200), "Bash: echo a\\x0aecho b");
  EXPECT_EQ(ToolSummary("Write", {{"file_path", "notes.txt"}, {"content", "x"}}, 200),
            "Write: notes.txt");
  EXPECT_EQ(ToolSummary("mcp__x__y", {{"n", 1}}, 200), "mcp__x__y: {\"n\":1}");
  const std::string cut = ToolSummary("Bash", {{"command", std::string(500, 'a')}}, 50);
  EXPECT_EQ(cut.size(), 53u);
  EXPECT_THAT(cut, ::testing::EndsWith("..."));
  // Cut at a character boundary, never inside one.
  const std::string utf8 = ToolSummary("Bash", {{"command", std::string(100, '\xc3')}}, 20);
  EXPECT_TRUE(HasNoControls(utf8));
}

TEST(ChatRender, PermissionRequestAsksAndDecisionsAreOneLine) {
  ChatRenderer r;
  const std::string ask = r.Render(Event("permission_request", {{"request_id", "r1"},
                                                                {"tool", "Write"},
                                                                {"input", {{"file_path", "a.txt"}}},
                                                                {"rule", "tools.ask"}}));
  EXPECT_EQ(ask, "[ask] Write: a.txt (tools.ask)\nallow? [y/N] ");
  const std::string decision =
      r.Render(Event("permission_decision", {{"request_id", "r1"},
                                             {"tool", "Bash"},
                                             {"decision", "deny"},
                                             {"rule", "destructive.rm-home"},
                                             {"message", "no\x1b[1m"},
                                             {"source", "policy"}}));
  EXPECT_EQ(decision, "\n[deny] Bash rule destructive.rm-home: no\\x1b[1m (policy)\n");
}

TEST(ChatRender, TurnEndSaysHowItWentWithTheTurnsUsage) {
  ChatRenderer r;
  EXPECT_EQ(r.Render(Event("usage", {{"input_tokens", 10}, {"output_tokens", 3}})), "");
  EXPECT_EQ(r.Render(Event("turn_end", {{"turn", 2}, {"is_error", false}, {"duration_ms", 1500}})),
            "[turn 2 done, 1.5 s, 10 in / 3 out tokens]\n");
  EXPECT_THAT(r.Render(Event("turn_end", {{"turn", 3},
                                          {"is_error", true},
                                          {"subtype", "error_during_execution"},
                                          {"result", "[Request interrupted by user]"}})),
              HasSubstr("[turn 3 ended: error_during_execution [Request interrupted by user]"));
}

TEST(ChatRender, QuietEventsPrintNothingAndJunkIsHarmless) {
  ChatRenderer r;
  EXPECT_EQ(r.Render(Event("status", {{"state", "busy"}})), "");
  EXPECT_EQ(r.Render(Event("thinking", {{"text", "hmm"}})), "");
  EXPECT_EQ(r.Render(Event("tool_result", {{"content", "fine"}, {"is_error", false}})), "");
  EXPECT_EQ(r.Render(json::array()), "");
  EXPECT_EQ(r.Render(Event("text", {{"text", 5}})), "");
  EXPECT_EQ(r.Render(Event("tool_use", "not an object")), "[tool] (unnamed tool)\n");
  EXPECT_THAT(r.Render(Event("error", {{"code", "agent_crashed"}, {"message", "x"}})),
              HasSubstr("[error agent_crashed] x"));
  EXPECT_EQ(r.Render(Event("error", {{"code", "slow_consumer"}})), "");
}

TEST(ChatRender, ExecLinesEndWithANewlineAndStderrIsMarked) {
  ChatRenderer r;
  EXPECT_EQ(r.Render(Event("text", {{"text", "out"}, {"delta", false}, {"stream", "stdout"}})),
            "out\n");
  EXPECT_EQ(r.Render(Event("text", {{"text", "bad"}, {"delta", false}, {"stream", "stderr"}})),
            "[stderr] bad\n");
  EXPECT_THAT(r.Render(Event("text", {{"text", "x"}})), Not(HasSubstr("[stderr]")));
}

}  // namespace
}  // namespace hotplex::cli
