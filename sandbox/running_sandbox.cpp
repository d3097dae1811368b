#include "sandbox/running_sandbox.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>

namespace hotplex::sandbox {

RunningSandbox::RunningSandbox(ChildProcess child, std::unique_ptr<Cgroup> cgroup,
                               UniqueFd status_fd, const Limits& limits)
    : child_(std::move(child)),
      cgroup_(std::move(cgroup)),
      status_fd_(std::move(status_fd)),
      limits_(limits) {
  if (limits.wall_time.count() > 0) deadline_ = std::chrono::steady_clock::now() + limits.wall_time;
}

RunningSandbox::~RunningSandbox() {
  if (!outcome_) {
    Kill();
    Wait();
  }
}

std::optional<Outcome> RunningSandbox::Poll() {
  if (outcome_) return outcome_;
  if (auto status = child_.TryReap()) return Finish(*status);
  if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) {
    timed_out_ = true;
    Kill();
    return Finish(*child_.WaitFor(std::chrono::milliseconds(-1)));
  }
  return std::nullopt;
}

Outcome RunningSandbox::Wait() {
  if (outcome_) return *outcome_;
  std::optional<ExitStatus> status;
  if (deadline_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *deadline_ - std::chrono::steady_clock::now());
    status = child_.WaitFor(std::max(left, std::chrono::milliseconds(0)));
    if (!status) {
      timed_out_ = true;
      Kill();
    }
  }
  if (!status) status = child_.WaitFor(std::chrono::milliseconds(-1));
  return Finish(*status);
}

void RunningSandbox::Signal(int sig) {
  if (outcome_) return;
  if (status_fd_) {
    child_.Signal(sig);  // init forwards it to the payload's process group
  } else {
    ::kill(-child_.Pid(), sig);  // the payload leads its own process group
  }
}

void RunningSandbox::Kill() {
  if (outcome_) return;
  if (!timed_out_) killed_ = true;
  if (cgroup_) (void)cgroup_->KillAll();
  ::kill(-child_.Pid(), SIGKILL);
  child_.Signal(SIGKILL);
}

std::optional<ExitStatus> RunningSandbox::PayloadStatus(const ExitStatus& first_process) {
  if (!status_fd_) return first_process;
  std::int32_t raw = 0;
  ssize_t n;
  do {
    n = ::read(status_fd_.Get(), &raw, sizeof raw);
  } while (n < 0 && errno == EINTR);
  if (n != sizeof raw) return std::nullopt;  // init died before the payload ended
  if (WIFSIGNALED(raw)) return ExitStatus{true, WTERMSIG(raw)};
  return ExitStatus{false, WEXITSTATUS(raw)};
}

Outcome RunningSandbox::Finish(const ExitStatus& first_process) {
  const std::optional<ExitStatus> payload = PayloadStatus(first_process);
  // Nothing of the sandbox outlives its payload.
  if (cgroup_) (void)cgroup_->KillAll();
  if (!status_fd_) ::kill(-child_.Pid(), SIGKILL);
  Outcome outcome;
  const bool oom = cgroup_ && cgroup_->OomKills() > 0;
  if (timed_out_) {
    outcome.kind = OutcomeKind::kTimedOut;
  } else if (oom && (!payload || (payload->signaled && payload->value == SIGKILL))) {
    outcome.kind = OutcomeKind::kOomKilled;
    outcome.memory_limit = limits_.memory_bytes;
  } else if (killed_ || !payload) {
    outcome.kind = OutcomeKind::kKilled;
  } else if (payload->signaled) {
    outcome = Outcome::Signaled(payload->value);
  } else {
    outcome = Outcome::Exited(payload->value);
  }
  outcome_ = outcome;
  return outcome;
}

}  // namespace hotplex::sandbox
