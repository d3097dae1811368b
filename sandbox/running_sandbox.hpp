// RunningSandbox: the Sandbox every Linux backend returns. It owns the first
// process (ChildProcess), the cgroup and, for the namespace backend, the pipe on
// which init reports the payload's wait status. It turns what it observes into
// a typed Outcome and enforces the wall-time limit. Thread-safety: one owner.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "common/unique_fd.hpp"
#include "sandbox/backend.hpp"
#include "sandbox/cgroup.hpp"
#include "sandbox/child_process.hpp"

namespace hotplex::sandbox {

class RunningSandbox final : public Sandbox {
 public:
  // `status_fd`: read end of init's status pipe, or invalid when the first
  // process is the payload itself (process backend).
  RunningSandbox(ChildProcess child, std::unique_ptr<Cgroup> cgroup, UniqueFd status_fd,
                 const Limits& limits);
  ~RunningSandbox() override;

  pid_t Pid() const override { return child_.Pid(); }
  int PidFd() const override { return child_.PidFd(); }
  std::optional<Outcome> Poll() override;
  Outcome Wait() override;
  void Signal(int sig) override;
  void Kill() override;

 private:
  Outcome Finish(const ExitStatus& first_process);
  std::optional<ExitStatus> PayloadStatus(const ExitStatus& first_process);

  ChildProcess child_;
  std::unique_ptr<Cgroup> cgroup_;
  UniqueFd status_fd_;
  Limits limits_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::optional<Outcome> outcome_;
  bool killed_ = false;
  bool timed_out_ = false;
};

}  // namespace hotplex::sandbox
