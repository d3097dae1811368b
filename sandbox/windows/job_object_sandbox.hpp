// JobObjectSandbox: one running payload and its job. Owns the job (closing it
// kills the tree), the payload's process handle, and the outcome bookkeeping:
// the job's completion port tells memory-limit and process-limit violations;
// Wait()/Poll() enforce the wall-time limit. When the payload exits, whatever
// it left running in the job is killed, like the Linux pid namespace.
// Thread-safety: one thread at a time (Kill() may race only with itself).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "sandbox/backend.hpp"
#include "sandbox/windows/job_object.hpp"

namespace hotplex::sandbox::win32 {

// Exit codes the backend gives the job's processes when it terminates them.
inline constexpr UINT kKilledExitCode = 0xC000013A;       // STATUS_CONTROL_C_EXIT
inline constexpr UINT kMemoryLimitExitCode = 0xC0000017;  // STATUS_NO_MEMORY

class JobObjectSandbox final : public Sandbox {
 public:
  JobObjectSandbox(Job job, UniqueHandle process, DWORD pid, const Limits& limits);
  ~JobObjectSandbox() override;

  pid_t Pid() const override { return static_cast<pid_t>(pid_); }
  int PidFd() const override { return -1; }
  std::optional<Outcome> Poll() override;
  Outcome Wait() override;
  // Windows has no signals: the whole job is terminated with exit code
  // 128+sig and the outcome is kSignaled(sig).
  void Signal(int sig) override;
  void Kill() override;

  Result<JobAccounting> Accounting() const { return job_.Query(); }
  Result<JobLimits> AppliedLimits() const { return job_.QueryLimits(); }
  Result<DWORD> AppliedUiRestrictions() const { return job_.QueryUiRestrictions(); }
  // True once the job reported JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT.
  bool ProcessLimitHit() const { return process_limit_hit_; }

 private:
  // Reads port messages for up to `timeout_ms`; true once the payload has exited.
  bool Pump(DWORD timeout_ms);
  void OnMessage(const JobMessage& message);
  Outcome Finish();

  Job job_;
  UniqueHandle process_;
  DWORD pid_;
  std::uint64_t memory_limit_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  bool memory_limit_hit_ = false;
  bool process_limit_hit_ = false;
  bool killed_ = false;
  bool timed_out_ = false;
  int signal_ = 0;
  std::optional<Outcome> outcome_;
};

}  // namespace hotplex::sandbox::win32
