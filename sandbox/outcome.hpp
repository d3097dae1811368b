// Outcome: how a sandbox ended, as a typed value.
#pragma once

#include <cstdint>
#include <string>

namespace hotplex::sandbox {

enum class OutcomeKind {
  kExited,       // payload exited; `code` is its exit status
  kSignaled,     // payload died of signal `code`
  kOomKilled,    // the memory limit was hit and the kernel killed the payload
  kTimedOut,     // the wall-time limit ran out and the sandbox was killed
  kKilled,       // the owner killed the sandbox (Kill())
  kSetupFailed,  // a setup step failed: `step` and `sys_errno` say which and why
};

struct Outcome {
  OutcomeKind kind = OutcomeKind::kExited;
  int code = 0;
  std::string step;
  int sys_errno = 0;
  std::uint64_t memory_limit = 0;  // for kOomKilled messages

  static Outcome Exited(int code) { return {OutcomeKind::kExited, code, {}, 0, 0}; }
  static Outcome Signaled(int sig) { return {OutcomeKind::kSignaled, sig, {}, 0, 0}; }
  static Outcome SetupFailed(std::string step, int err) {
    return {OutcomeKind::kSetupFailed, 0, std::move(step), err, 0};
  }

  // Exit status a shell would show: the code, 128+N for signal N, 137 for OOM
  // or kill, 124 for a timeout (like timeout(1)), 127 when the command was not
  // found and 126 for any other setup failure.
  int ShellExitCode() const;
  // One line for people, e.g. "killed: out of memory (limit 64 MiB)".
  std::string Describe() const;
  bool NormalExit() const { return kind == OutcomeKind::kExited; }
};

const char* OutcomeKindName(OutcomeKind kind);

}  // namespace hotplex::sandbox
