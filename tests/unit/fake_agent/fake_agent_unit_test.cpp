// Unit tests of the fake agent's script language and transcript files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/fake_agent/directives.hpp"
#include "tests/fake_agent/transcript.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::fake_agent {
namespace {

TEST(FakeAgentDirectives, EveryVerbParses) {
  auto d = ParseDirectives(
      "text hello world\nthinking hmm\ntool Bash {\"command\":\"ls -l\"}\nslow 3 20 ;; echo 5\n"
      "echo 2 100\nhuge 1024\nsleep 10\nstderr oops\nhistory\nerror bad\ncrash\ncrash 7\n"
      "abort\nhang\nhang-ignore-term\n");
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->size(), 16u);
  EXPECT_EQ((*d)[0].text, "hello world");
  EXPECT_EQ((*d)[2].verb, Verb::kTool);
  EXPECT_EQ((*d)[2].text, "Bash");
  EXPECT_EQ((*d)[2].input["command"], "ls -l");
  EXPECT_EQ((*d)[3].count, 3);
  EXPECT_EQ((*d)[3].interval, 20);
  EXPECT_EQ((*d)[4].verb, Verb::kEcho);
  EXPECT_EQ((*d)[4].interval, 0);
  EXPECT_EQ((*d)[5].interval, 100);
  EXPECT_EQ((*d)[6].count, 1024);
  EXPECT_EQ((*d)[11].count, 1);
  EXPECT_EQ((*d)[12].count, 7);
  EXPECT_EQ((*d)[15].verb, Verb::kHangIgnoreTerm);
}

TEST(FakeAgentDirectives, BadLinesAreErrorsThatNameTheLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"dance", "unknown directive 'dance'"},  {"text ok\nslow 3", "line 2"},
      {"huge lots", "expected a number"},      {"tool", "tool <Name> <json>"},
      {"tool Bash [1]", "tool <Name> <json>"}, {"tool Bash {not json", "line 1"},
  };
  for (const auto& [body, needle] : cases) {
    auto d = ParseDirectives(body);
    ASSERT_FALSE(d) << body;
    EXPECT_NE(d.error().message.find(needle), std::string::npos) << d.error().message;
  }
}

TEST(FakeAgentDirectives, PromptsPickTheirScript) {
  auto scripted = DirectivesForPrompt("  fake: text a ;; text b", "text ignored");
  ASSERT_TRUE(scripted);
  ASSERT_EQ(scripted->size(), 2u);
  EXPECT_EQ((*scripted)[1].text, "b");
  auto from_file = DirectivesForPrompt("hello", "error from file");
  ASSERT_TRUE(from_file);
  EXPECT_EQ((*from_file)[0].verb, Verb::kError);
  auto echo = DirectivesForPrompt("hello", "");
  ASSERT_TRUE(echo);
  EXPECT_EQ((*echo)[0].text, "echo: hello");
}

TEST(FakeAgentDirectives, ScriptFilesSplitOnDashLines) {
  const auto turns = SplitScriptTurns("text one\n---\ntext two\nslow 1 1\n---\n");
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[0], "text one\n");
  EXPECT_EQ(turns[1], "text two\nslow 1 1\n");
}

TEST(FakeAgentTranscript, LivesWhereClaudeCodeKeepsItsOwn) {
  EXPECT_EQ(Transcript::PathFor("/h", "/srv/work.dir_1", "id").string(),
            "/h/.claude/projects/-srv-work-dir-1/id.jsonl");
}

TEST(FakeAgentTranscript, CreateRefusesATakenIdAndResumeReadsItBack) {
  hotplex::testing::TempDir home("fake-agent-transcript");
  auto created = Transcript::Create(home.Path(), "/w", "abc");
  ASSERT_TRUE(created);
  ASSERT_TRUE(created->Append("user", "hi"));
  ASSERT_TRUE(created->Append("assistant", "hello"));
  // A torn last line (the agent was killed mid-write) is skipped, not fatal.
  std::ofstream(Transcript::PathFor(home.Path(), "/w", "abc"), std::ios::app) << "{\"role\":";
  EXPECT_FALSE(Transcript::Create(home.Path(), "/other", "abc"));
  auto resumed = Transcript::Resume(home.Path(), "abc");
  ASSERT_TRUE(resumed);
  ASSERT_EQ(resumed->Entries().size(), 2u);
  EXPECT_EQ(resumed->Entries()[1].text, "hello");
  EXPECT_FALSE(Transcript::Resume(home.Path(), "missing"));
}

}  // namespace
}  // namespace hotplex::fake_agent
