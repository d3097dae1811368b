// ChildProcess: the one owner of a child process and its pidfd. Destroying it
// SIGKILLs and reaps the child if that has not happened yet.
// Also Clone3(), the fork-like clone3 wrapper every backend launches with.
// Thread-safety: one owner thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::sandbox {

// How a reaped process ended.
struct ExitStatus {
  bool signaled = false;
  int value = 0;  // exit code, or signal number when signaled
};

struct CloneResult {
  pid_t pid = -1;  // 0 in the child
  UniqueFd pidfd;  // parent only
};

// fork()-like clone3 with CLONE_PIDFD and `flags` (namespace flags). With a
// valid `cgroup_fd` the child is born in that cgroup (CLONE_INTO_CGROUP, v2).
// The child returns with pid 0 and must only make async-signal-safe calls.
Result<CloneResult> Clone3(std::uint64_t flags, int cgroup_fd = -1);

class ChildProcess {
 public:
  ChildProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  ChildProcess(ChildProcess&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        pidfd_(std::move(other.pidfd_)),
        status_(other.status_) {}
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  pid_t Pid() const { return pid_; }
  int PidFd() const { return pidfd_.Get(); }

  // Reaps without blocking; the status once the child has ended.
  std::optional<ExitStatus> TryReap();
  // Waits up to `timeout` (negative: forever) for the child to end.
  std::optional<ExitStatus> WaitFor(std::chrono::milliseconds timeout);
  // Sends a signal through the pidfd (no pid-reuse race). No-op once reaped.
  void Signal(int sig);

 private:
  pid_t pid_;
  UniqueFd pidfd_;
  std::optional<ExitStatus> status_;
};

}  // namespace hotplex::sandbox
