// The {step, errno} channel from a child being set up to its parent.
//
// The child side runs after clone() in a copy of a multi-threaded process, so
// it only makes async-signal-safe calls: ReportSetupFailure writes one fixed-size
// record to a CLOEXEC pipe and _exits. The parent reads until EOF: EOF with no
// record means the payload reached execve successfully.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace hotplex::sandbox {

// Exit code of a child that reported a setup failure (never confused with a
// payload status, because the parent reads the record first).
inline constexpr int kSetupFailedExitCode = 126;

struct SetupFailure {
  std::string step;
  int sys_errno = 0;
};

// Child side: reports `step` (a string literal) with the current errno, then _exit.
[[noreturn]] void ReportSetupFailure(int report_fd, const char* step);
// Same with an explicit errno.
[[noreturn]] void ReportSetupFailureErrno(int report_fd, const char* step, int err);

// Parent side: blocks until the pipe's write ends are all closed. Returns the
// failure the child reported, or nullopt when it closed the pipe without one.
Result<std::optional<SetupFailure>> ReadSetupReport(int read_fd);

}  // namespace hotplex::sandbox
