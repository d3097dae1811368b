// Provider: how one kind of agent CLI is driven (argv, prompt encoding, output
// mapping, interrupt, permission answers).
//
// A provider never touches processes or sockets: it talks to its session
// through ProviderHost (emit events, write a stdin line, signal the agent,
// schedule a timeout). That keeps providers unit-testable with a fake host.
// Thread-safety: a provider is driven by its session's strand only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "supervisor/event.hpp"

namespace hotplex::supervisor {

class ProviderHost {
 public:
  using TimerId = std::uint64_t;

  virtual ~ProviderHost() = default;
  virtual void Emit(EventPayload payload) = 0;
  // Queues one line (a '\n' is appended) for the agent's stdin.
  virtual void WriteLine(std::string line) = 0;
  virtual void SignalAgent(int sig) = 0;
  // The agent answered its readiness probe (or has none): starting -> ready.
  virtual void AgentReady() = 0;
  virtual TimerId ScheduleAfter(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  virtual void CancelTimer(TimerId id) = 0;
  virtual const std::string& WorkDir() const = 0;
  // Records a tool decision durably before the provider acts on it: `then` runs
  // later, on the provider's strand, with an error when the audit store could
  // not write (the provider then denies). Hosts without an audit log answer at once.
  virtual void RecordDecision(PermissionDecision decision,
                              std::function<void(const hotplex::Status&)> then) {
    (void)decision;
    then({});
  }
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual const char* Name() const = 0;
  // The agent's argv. `resume` = the session had a conversation before (the
  // process is being restarted after a stop or a daemon restart).
  virtual std::vector<std::string> Argv(bool resume) const = 0;
  // Whether a prompt opens a turn that the agent closes (busy until TurnEnd).
  virtual bool HasTurns() const = 0;
  // The process was just launched: send a readiness probe, or report ready.
  virtual void OnStarted() = 0;
  virtual void SendPrompt(std::string_view text) = 0;
  virtual void OnStdoutLine(std::string_view line, bool truncated) = 0;
  virtual void OnStderrLine(std::string_view line, bool truncated) = 0;
  virtual hotplex::Status Interrupt() = 0;
  // Answers a pending `ask`; an unknown or already answered id is an error.
  virtual hotplex::Status AnswerPermission(std::string_view request_id, bool allow,
                                           std::string_view message) = 0;
  // The agent process ended: pending requests are dropped (denied).
  virtual void OnAgentExit() = 0;
};

}  // namespace hotplex::supervisor
