#include "sandbox/outcome.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "common/result.hpp"
#include "common/units.hpp"

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
      return (step == "execve" && (sys_errno == ENOENT || sys_errno == ENOTDIR)) ? 127 : 126;
  }
  return 126;
}

std::string Outcome::Describe() const {
  switch (kind) {
    case OutcomeKind::kExited: return "exited with status " + std::to_string(code);
    case OutcomeKind::kSignaled: {
      const char* name = sigabbrev_np(code);
      return "killed by signal " + std::to_string(code) +
             (name ? " (SIG" + std::string(name) + ")" : "");
    }
    case OutcomeKind::kOomKilled:
      return "killed: out of memory" +
             (memory_limit ? " (limit " + FormatByteSize(memory_limit) + ")" : std::string());
    case OutcomeKind::kTimedOut: return "killed: wall-time limit reached";
    case OutcomeKind::kKilled: return "killed";
    case OutcomeKind::kSetupFailed:
      // Error::Describe renders errno thread-safely (std::strerror is not).
      return "setup failed at step " + step + ": " + Error{"", sys_errno, ""}.Describe();
  }
  return "unknown outcome";
}

}  // namespace hotplex::sandbox
