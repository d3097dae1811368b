// hotplexd-run.exe end to end: its exit status is the payload's.
#include <gtest/gtest.h>

#include "sandbox/windows/win32_command_line.hpp"
#include "win_test_harness.hpp"

namespace hotplex::sandbox::win32::testing {
namespace {

int RunFrontEnd(const std::wstring& args) {
  const std::wstring dir = BinaryDir();
  return RunProgram(L"\"" + dir + L"\\hotplexd-run.exe\" " + args, 60000);
}

std::wstring Payload() { return L"\"" + BinaryDir() + L"\\win-payload.exe\""; }

TEST(HotplexdRun, ExitStatusPassesThrough) {
  EXPECT_EQ(RunFrontEnd(L"-- " + Payload() + L" exit 7"), 7);
}

TEST(HotplexdRun, MissingCommandExits127) {
  EXPECT_EQ(RunFrontEnd(L"-- hotplex-no-such-program"), 127);
}

TEST(HotplexdRun, BadLimitIsAUsageError) {
  EXPECT_EQ(RunFrontEnd(L"--memory lots -- " + Payload() + L" exit 0"), 2);
}

TEST(HotplexdRun, WallTimeExits124) {
  EXPECT_EQ(RunFrontEnd(L"--wall-time 300ms -- " + Payload() + L" sleep 60000"), 124);
}

TEST(HotplexdRun, MemoryHogExits137) {
  const int status = RunFrontEnd(L"--memory 64M -- " + Payload() + L" hog 256");
  // Wine 8.0 does not enforce the job memory limit (README, "Wine gaps").
  EXPECT_EQ(status, RunningUnderWine() ? 0 : 137);
}

}  // namespace
}  // namespace hotplex::sandbox::win32::testing
