// Test harness for the job object backend under Wine or Windows: builds specs
// that run win-payload.exe, pipes for its stdio, and helpers to watch pids.
#pragma once

#include <windows.h>

#include <memory>
#include <string>
#include <vector>

#include "sandbox/backend.hpp"
#include "sandbox/windows/win32_handle.hpp"

namespace hotplex::sandbox::win32::testing {

// True when running under Wine (ntdll exports wine_get_version).
bool RunningUnderWine();
// Directory of the test executable (win-payload.exe and hotplexd-run.exe live there).
std::wstring BinaryDir();
std::string PayloadPath();
// A spec running win-payload.exe with `args`, a minimal environment and a
// fresh WorkDir under %TEMP%.
SandboxSpec PayloadSpec(const std::vector<std::string>& args);

// A launched payload with its stdout/stderr pipes' read ends and stdin's write end.
struct Launched {
  std::unique_ptr<Sandbox> sandbox;
  UniqueHandle stdin_write, stdout_read, stderr_read;
};
Launched LaunchWithPipes(Backend& backend, SandboxSpec spec);

// Feeds `input`, closes stdin, collects both outputs, waits.
struct Finished {
  Outcome outcome;
  std::string out, err;
  std::unique_ptr<Sandbox> sandbox;  // ended; kept for accounting queries
};
Finished RunToEnd(Backend& backend, SandboxSpec spec, const std::string& input = {});

std::string ReadAll(HANDLE pipe);
// Reads one '\n'-terminated line (without it).
std::string ReadLine(HANDLE pipe);
// True if the process `pid` ends (or is already gone) within `timeout_ms`.
bool ProcessEnds(DWORD pid, DWORD timeout_ms);
// Runs a program outside any sandbox and returns its exit code (-1 on failure).
int RunProgram(const std::wstring& command_line, DWORD timeout_ms);

}  // namespace hotplex::sandbox::win32::testing
