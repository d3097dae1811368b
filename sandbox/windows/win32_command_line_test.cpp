#include "sandbox/windows/win32_command_line.hpp"

#include <gtest/gtest.h>
#include <windows.h>
// shellapi.h needs windows.h first.
#include <shellapi.h>

namespace hotplex::sandbox::win32 {
namespace {

std::vector<std::string> SplitBack(const std::wstring& command_line) {
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(command_line.c_str(), &argc);
  std::vector<std::string> out;
  for (int i = 0; i < argc; ++i) out.push_back(Narrow(argv[i]));
  LocalFree(argv);
  return out;
}

TEST(Win32CommandLine, QuotingRoundTripsThroughCommandLineToArgv) {
  const std::vector<std::vector<std::string>> cases = {
      {"prog.exe", "plain"},
      {"C:\\dir with space\\prog.exe", "two words"},
      {"prog", "say \"hi\"", "trailing\\", "back\\\\slash\\\"quote"},
      {"prog", "", "tab\there"},
      {"prog", "ünïcödé"},
  };
  for (const auto& argv : cases) EXPECT_EQ(SplitBack(QuoteCommandLine(argv)), argv);
}

TEST(Win32CommandLine, EnvironmentBlockIsSortedAndDoubleTerminated) {
  const std::wstring block = EnvironmentBlock({"b=2", "A=1", "c=3"});
  EXPECT_EQ(block, std::wstring(L"A=1\0b=2\0c=3\0\0", 13));
  EXPECT_EQ(EnvironmentBlock({}), std::wstring(L"\0\0", 2));
}

TEST(Win32CommandLine, LookupEnvIgnoresCase) {
  EXPECT_EQ(LookupEnv({"Path=C:\\x", "PATHEXT=.exe"}, "PATH"), "C:\\x");
  EXPECT_EQ(LookupEnv({"PATHEXT=.exe"}, "PATH"), "");
}

}  // namespace
}  // namespace hotplex::sandbox::win32
