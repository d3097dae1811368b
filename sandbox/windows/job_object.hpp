// Job: one Windows job object holding a sandbox's whole process tree, with its
// limits (memory, active processes, CPU rate, UI) and the completion port the
// job posts its notifications to. Closing the job handle kills every process
// in it (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE). Thread-safety: one owner thread;
// TerminateJobObject itself may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"
#include "sandbox/windows/win32_handle.hpp"

namespace hotplex::sandbox::win32 {

// What QueryInformationJobObject reports for the job so far.
struct JobAccounting {
  std::uint32_t active_processes = 0;
  std::uint32_t total_processes = 0;
  std::uint64_t peak_job_memory = 0;      // bytes
  std::uint64_t peak_process_memory = 0;  // bytes
  std::uint64_t user_time_100ns = 0;
  std::uint64_t kernel_time_100ns = 0;
};

// The limits the job actually holds, read back with QueryInformationJobObject.
struct JobLimits {
  DWORD limit_flags = 0;  // JOB_OBJECT_LIMIT_*
  std::uint64_t job_memory = 0;
  DWORD active_processes = 0;
};

// A notification taken from the job's completion port.
struct JobMessage {
  DWORD id = 0;   // JOB_OBJECT_MSG_*
  DWORD pid = 0;  // the process concerned, for per-process messages
};

class Job {
 public:
  // Creates the job with `limits` applied (CPU rate only when cpu_cores is set).
  static Result<Job> Create(const Limits& limits);

  HANDLE Handle() const { return job_.Get(); }
  Status Assign(HANDLE process) const;
  // Kills every process in the job with `exit_code`.
  void Terminate(UINT exit_code) const;
  Result<JobAccounting> Query() const;
  Result<JobLimits> QueryLimits() const;
  Result<DWORD> QueryUiRestrictions() const;  // JOB_OBJECT_UILIMIT_*
  // Next notification within `timeout_ms`, or nullopt.
  std::optional<JobMessage> NextMessage(DWORD timeout_ms) const;

 private:
  Job(UniqueHandle job, UniqueHandle port) : port_(std::move(port)), job_(std::move(job)) {}
  // The port must outlive the job's association; declared first, destroyed last.
  UniqueHandle port_;
  UniqueHandle job_;
};

}  // namespace hotplex::sandbox::win32
