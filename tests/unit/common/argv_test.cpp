#include "common/argv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hotplex {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Args = std::vector<std::string>;

struct Parsed {
  std::string config;
  std::vector<std::string> envs;
  bool json = false;
  bool help = false;
};

ArgvParser MakeParser(Parsed& p) {
  ArgvParser parser;
  parser.Value({"--config", "-c"}, p.config)
      .Value({"--env"},
             [&p](const std::string& v) -> Status {
               if (v.empty()) return MakeError("invalid --env '': expected K=V");
               p.envs.push_back(v);
               return {};
             })
      .Switch({"--json"}, p.json)
      .Switch({"--help", "-h"}, p.help);
  return parser;
}

TEST(Argv, OptionsWithSeparateOrInlineValues) {
  Parsed p;
  auto rest = MakeParser(p).Parse({"--config", "a.yaml", "--env=K=V", "--env", "X", "--json"});
  ASSERT_TRUE(rest) << rest.error().Describe();
  EXPECT_EQ(p.config, "a.yaml");
  EXPECT_THAT(p.envs, ElementsAre("K=V", "X"));  // only the first '=' splits
  EXPECT_TRUE(p.json);
  EXPECT_FALSE(p.help);
  EXPECT_TRUE(rest->empty());
}

TEST(Argv, AliasesAndPositionalsInterleaved) {
  Parsed p;
  auto rest = MakeParser(p).Parse({"show", "-c", "b.yaml", "ID", "-h", "-"});
  ASSERT_TRUE(rest) << rest.error().Describe();
  EXPECT_EQ(p.config, "b.yaml");
  EXPECT_TRUE(p.help);
  EXPECT_THAT(*rest, ElementsAre("show", "ID", "-"));  // "-" alone is a value, not an option
}

TEST(Argv, DoubleDashEndsTheOptions) {
  Parsed p;
  auto rest = MakeParser(p).Parse({"--json", "--", "--config", "x"});
  ASSERT_TRUE(rest);
  EXPECT_TRUE(p.json);
  EXPECT_EQ(p.config, "");
  EXPECT_THAT(*rest, ElementsAre("--config", "x"));
}

TEST(Argv, StopAtPositionalKeepsTheCommandsOwnFlags) {
  Parsed p;
  auto rest = MakeParser(p).StopAtPositional().Parse({"--json", "echo", "--config", "x"});
  ASSERT_TRUE(rest);
  EXPECT_EQ(p.config, "");
  EXPECT_THAT(*rest, ElementsAre("echo", "--config", "x"));
}

TEST(Argv, UnknownOptionsKeptOrIgnored) {
  Parsed kept;
  auto rest = MakeParser(kept)
                  .Unknown(ArgvParser::UnknownOptions::kKeep)
                  .Parse({"--tenant", "t1", "--json", "-p"});
  ASSERT_TRUE(rest);
  EXPECT_TRUE(kept.json);
  EXPECT_THAT(*rest, ElementsAre("--tenant", "t1", "-p"));

  Parsed ignored;
  rest = MakeParser(ignored)
             .Unknown(ArgvParser::UnknownOptions::kIgnore)
             .Parse({"--verbose", "-p", "hello", "--json"});
  ASSERT_TRUE(rest);
  EXPECT_TRUE(ignored.json);
  EXPECT_THAT(*rest, ElementsAre("hello"));
}

struct BadCase {
  Args args;
  const char* message;
};

TEST(Argv, BadInputNamesTheOption) {
  const BadCase cases[] = {
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"--bogus=1"}, "unknown option '--bogus'"},
      {{"-x"}, "unknown option '-x'"},
      {{"--config"}, "option --config needs a value"},
      {{"--json", "-c"}, "option -c needs a value"},
      {{"--json=yes"}, "option --json takes no value"},
      {{"--env", ""}, "invalid --env '': expected K=V"},  // the handler's own error
  };
  for (const auto& c : cases) {
    Parsed p;
    auto rest = MakeParser(p).Parse(c.args);
    ASSERT_FALSE(rest) << c.message;
    EXPECT_THAT(rest.error().Describe(), HasSubstr(c.message));
  }
}

TEST(Argv, ArgsOfSkipsTheProgramName) {
  std::string a0 = "prog", a1 = "--json", a2 = "x";
  char* argv[] = {a0.data(), a1.data(), a2.data()};
  EXPECT_THAT(ArgsOf(3, argv), ElementsAre("--json", "x"));
  EXPECT_THAT(ArgsOf(3, argv, 2), ElementsAre("x"));
  EXPECT_TRUE(ArgsOf(1, argv).empty());
}

}  // namespace
}  // namespace hotplex
