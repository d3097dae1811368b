// hotplexd-run.exe: the Windows front end of the job object backend, the
// equivalent of `hotplexd run`. stdio passes through; the exit status is the
// payload's (Outcome::ShellExitCode), with one line on stderr for anything but
// a normal exit.
#include <windows.h>
// shellapi.h needs windows.h first.
#include <shellapi.h>

#include <cstdio>
#include <string>
#include <vector>

#include "sandbox/windows/job_object_backend.hpp"
#include "sandbox/windows/run_options.hpp"
#include "sandbox/windows/win32_command_line.hpp"
#include "sandbox/windows/win32_error.hpp"

namespace {

using namespace hotplex::sandbox;

constexpr int kUsageExit = 2;

std::vector<std::string> HostEnvironment() {
  std::vector<std::string> env;
  wchar_t* block = GetEnvironmentStringsW();
  for (const wchar_t* e = block; e && *e; e += wcslen(e) + 1) env.push_back(win32::Narrow(e));
  FreeEnvironmentStringsW(block);
  return env;
}

std::vector<std::string> Arguments() {
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.push_back(win32::Narrow(argv[i]));
  LocalFree(argv);
  return args;
}

void ReportOutcome(const Outcome& outcome, const std::string& command) {
  if (outcome.kind == OutcomeKind::kExited) return;
  if (outcome.kind == OutcomeKind::kSetupFailed && outcome.ShellExitCode() == 127) {
    std::fprintf(stderr, "hotplexd: command not found in sandbox: %s\n", command.c_str());
  } else {
    std::fprintf(stderr, "hotplexd: sandbox %s\n", outcome.Describe().c_str());
  }
}

int Run(const win32::WinRunOptions& o) {
  auto backend = MakeJobObjectBackend({.restricted_token = !o.unrestricted_token});
  SandboxSpec spec = o.spec;
  spec.stdio = {GetStdHandle(STD_INPUT_HANDLE), GetStdHandle(STD_OUTPUT_HANDLE),
                GetStdHandle(STD_ERROR_HANDLE)};
  auto sandbox = backend->Launch(spec);
  if (!sandbox && IsSandboxSetupFailure(sandbox.error())) {
    const Outcome failed = Outcome::SetupFailed(sandbox.error().step, sandbox.error().sys_errno);
    ReportOutcome(failed, spec.argv[0]);
    return failed.ShellExitCode();
  }
  if (!sandbox) {
    std::fprintf(stderr, "hotplexd run: %s\n", win32::DescribeWin32(sandbox.error()).c_str());
    return kUsageExit;
  }
  const Outcome outcome = (*sandbox)->Wait();
  ReportOutcome(outcome, spec.argv[0]);
  return outcome.ShellExitCode();
}

}  // namespace

int main() {
  auto parsed = win32::ParseWinRunOptions(Arguments(), HostEnvironment());
  if (!parsed) {
    std::fprintf(stderr, "hotplexd run: %s\n", parsed.error().message.c_str());
    return kUsageExit;
  }
  if (parsed->help) {
    std::fputs(win32::kWinRunUsage, stdout);
    return 0;
  }
  return Run(*parsed);
}
