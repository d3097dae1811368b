// Outcome's text and shell status on Windows (the Linux build compiles
// sandbox/outcome.cpp instead): setup failures carry a Win32 error code, not
// an errno, and a "signal" is only what Sandbox::Signal() asked for.
#include <windows.h>

#include <string>

#include "common/units.hpp"
#include "sandbox/outcome.hpp"
#include "sandbox/windows/win32_error.hpp"

namespace hotplex::sandbox {

const char* OutcomeKindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kExited: return "exited";
    case OutcomeKind::kSignaled: return "signaled";
    case OutcomeKind::kOomKilled: return "oom_killed";
    case OutcomeKind::kTimedOut: return "timed_out";
    case OutcomeKind::kKilled: return "killed";
    case OutcomeKind::kSetupFailed: return "setup_failed";
  }
  return "unknown";
}

int Outcome::ShellExitCode() const {
  switch (kind) {
    case OutcomeKind::kExited: return code;
    case OutcomeKind::kSignaled: return 128 + code;
    case OutcomeKind::kOomKilled:
    case OutcomeKind::kKilled: return 137;
    case OutcomeKind::kTimedOut: return 124;
    case OutcomeKind::kSetupFailed:
      return (sys_errno == ERROR_FILE_NOT_FOUND || sys_errno == ERROR_PATH_NOT_FOUND) ? 127 : 126;
  }
  return 126;
}

std::string Outcome::Describe() const {
  switch (kind) {
    case OutcomeKind::kExited: return "exited with status " + std::to_string(code);
    case OutcomeKind::kSignaled: return "terminated for signal " + std::to_string(code);
    case OutcomeKind::kOomKilled:
      return "killed: out of memory" +
             (memory_limit ? " (limit " + FormatByteSize(memory_limit) + ")" : std::string());
    case OutcomeKind::kTimedOut: return "killed: wall-time limit reached";
    case OutcomeKind::kKilled: return "killed";
    case OutcomeKind::kSetupFailed:
      return "setup failed at step " + step + ": " +
             win32::FormatWin32Error(static_cast<DWORD>(sys_errno));
  }
  return "unknown outcome";
}

}  // namespace hotplex::sandbox
