#include "sandbox/windows/job_object_sandbox.hpp"

#include <algorithm>

namespace hotplex::sandbox::win32 {

namespace {
constexpr DWORD kPumpSliceMs = 50;
}

JobObjectSandbox::JobObjectSandbox(Job job, UniqueHandle process, DWORD pid, const Limits& limits)
    : job_(std::move(job)),
      process_(std::move(process)),
      pid_(pid),
      memory_limit_(limits.memory_bytes) {
  if (limits.wall_time.count() > 0) deadline_ = std::chrono::steady_clock::now() + limits.wall_time;
}

JobObjectSandbox::~JobObjectSandbox() {
  // Closing the job would kill the tree anyway (KILL_ON_JOB_CLOSE); terminate
  // first so that nothing runs between here and the handle's close.
  job_.Terminate(kKilledExitCode);
}

void JobObjectSandbox::OnMessage(const JobMessage& message) {
  switch (message.id) {
    case JOB_OBJECT_MSG_JOB_MEMORY_LIMIT:
    case JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT:
      // Windows only fails the allocation; kill the tree like the Linux OOM killer.
      memory_limit_hit_ = true;
      job_.Terminate(kMemoryLimitExitCode);
      break;
    case JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT: process_limit_hit_ = true; break;
    default: break;
  }
}

bool JobObjectSandbox::Pump(DWORD timeout_ms) {
  if (auto message = job_.NextMessage(timeout_ms)) OnMessage(*message);
  if (WaitForSingleObject(process_.Get(), 0) != WAIT_OBJECT_0) return false;
  // The payload is gone: read what the job queued before it ended (a failed
  // allocation is posted before the process could exit), then kill the rest.
  while (auto message = job_.NextMessage(0)) OnMessage(*message);
  return true;
}

Outcome JobObjectSandbox::Finish() {
  job_.Terminate(kKilledExitCode);
  DWORD code = 0;
  GetExitCodeProcess(process_.Get(), &code);
  Outcome out = Outcome::Exited(static_cast<int>(code));
  if (memory_limit_hit_) {
    out = Outcome{OutcomeKind::kOomKilled, 0, {}, 0, memory_limit_};
  } else if (timed_out_) {
    out = Outcome{OutcomeKind::kTimedOut, 0, {}, 0, 0};
  } else if (killed_) {
    out = Outcome{OutcomeKind::kKilled, 0, {}, 0, 0};
  } else if (signal_ != 0) {
    out = Outcome::Signaled(signal_);
  }
  outcome_ = out;
  return out;
}

std::optional<Outcome> JobObjectSandbox::Poll() {
  if (outcome_) return outcome_;
  if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) {
    timed_out_ = true;
    job_.Terminate(kKilledExitCode);
  }
  if (!Pump(0)) return std::nullopt;
  return Finish();
}

Outcome JobObjectSandbox::Wait() {
  while (!outcome_) {
    DWORD slice = kPumpSliceMs;
    if (deadline_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline_ - std::chrono::steady_clock::now());
      if (left.count() <= 0 && !timed_out_) {
        timed_out_ = true;
        job_.Terminate(kKilledExitCode);
      }
      if (!timed_out_) {
        slice = static_cast<DWORD>(std::clamp<long long>(left.count(), 0, kPumpSliceMs));
      }
    }
    if (Pump(slice)) Finish();
  }
  return *outcome_;
}

void JobObjectSandbox::Signal(int sig) {
  if (outcome_ || killed_) return;
  signal_ = sig;
  job_.Terminate(static_cast<UINT>(128 + sig));
}

void JobObjectSandbox::Kill() {
  if (outcome_) return;
  killed_ = true;
  job_.Terminate(kKilledExitCode);
}

}  // namespace hotplex::sandbox::win32
