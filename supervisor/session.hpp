// Session: one long-lived agent conversation and, while it runs, its sandboxed
// process.
//
// Owns the session's record (state, turns, usage), its event log, its provider
// and its AgentProcess. Drives the lifecycle starting -> ready <-> busy,
// stopped (no process; the next message restarts the agent and resumes the
// conversation) and dead (deleted). Every change is persisted to the store.
//
// Thread-safety: public methods are thread-safe. State lives under one mutex,
// never held across a sandbox launch: a launch takes it to read what it needs,
// launches without it and takes it again to install the process, dropping one
// that lost a race with Stop/Delete (the generation moved). Every operation on
// the AgentProcess is posted to the session's strand, which is also where
// process callbacks and timers run (they take the mutex briefly).
// Start(), SendMessage() and Reattach() may launch a sandbox: call them on a
// Launcher thread (supervisor/launcher.hpp; AgentProcess::Launch says why),
// never on an I/O thread. SendIfRunning() never launches.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "supervisor/agent_binary.hpp"
#include "supervisor/agent_process.hpp"
#include "supervisor/audit/audit.hpp"
#include "supervisor/event_log.hpp"
#include "supervisor/provider.hpp"
#include "supervisor/session_observer.hpp"
#include "supervisor/session_policy.hpp"
#include "supervisor/session_record.hpp"
#include "supervisor/session_store.hpp"
#include "supervisor/stop_reason.hpp"
#include "supervisor/supervisor_error.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::supervisor {

class EgressGateway;
struct EgressDecision;

struct SessionDeps {
  boost::asio::io_context* io = nullptr;
  sandbox::Backend* backend = nullptr;  // the backend the policy asks for
  SessionPolicyPtr policy;
  sandbox::Identity identity;     // the tenant's host uid/gid
  SessionStore* store = nullptr;  // null = not persisted (tests)
  AuditSink* audit = nullptr;     // null = not audited (tests); see supervisor/audit/AUDIT.md
  TranscriptSink* transcripts = nullptr;  // null = events are not persisted (tests)
  bool audit_prompt_text = false;         // prompt records keep the text, not only size + SHA-256
  std::vector<std::string> claude_command = {"claude"};
  std::vector<sandbox::BindMount> extra_mounts;  // e.g. the Claude Code installation
  // claude_code.command resolved on the host (supervisor/agent_binary.hpp): its
  // install dir is bound into namespace sandboxes; null = run the command as configured.
  std::shared_ptr<const AgentBinary> claude_binary;
  std::size_t ring_capacity = 4096;
  std::size_t ring_bytes = kDefaultRingBytes;
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
  // Trusted roots the workdir and home are re-resolved beneath at every start
  // (sandbox/host_path.hpp), never through a tenant's link. Empty = the paths
  // are trusted as they are (tests).
  std::string workspace_root;  // the tenant's workspace root
  std::string homes_root;      // <state_dir>/homes
  // Told of every event after the built-in metrics and audit observers.
  std::vector<std::shared_ptr<SessionObserver>> observers;
};

class Session : public std::enable_shared_from_this<Session>, private ProviderHost {
 public:
  Session(SessionRecord record, SessionDeps deps);
  ~Session() override;

  const std::string& Id() const { return id_; }
  const std::string& TenantId() const { return tenant_id_; }
  SessionRecord Snapshot() const;
  EventLog& Events() { return events_; }
  const SessionPolicy& Policy() const { return *deps_.policy; }
  const SessionPolicyPtr& PolicyPtr() const { return deps_.policy; }

  // Turns a warm-pool session (started under a provisional id, with no store,
  // audit or transcripts) into the session `id`: it keeps its agent, home and
  // conversation id and takes `deps` (the same policy). Call it before the
  // session is visible to anyone else: Id() is read without the lock.
  void Adopt(std::string id, std::string key, SessionDeps deps);

  // Launches the agent (state starting -> ready). A failure leaves it stopped.
  SvResult<void> Start();
  // Sends a prompt, restarting the agent first if it is stopped; returns the turn.
  // Waits for a launch of this session already in progress.
  SvResult<std::uint64_t> SendMessage(std::string_view text);
  // SendMessage without a launch (for I/O threads): nullopt when the agent is
  // stopped or launching, then SendMessage on a launcher thread does it.
  std::optional<SvResult<std::uint64_t>> SendIfRunning(std::string_view text);
  SvResult<void> Interrupt();
  SvResult<void> AnswerPermission(std::string_view request_id, bool allow,
                                  std::string_view message);
  // Restart recovery (docker `reconcile: adopt`): takes back the agent that an
  // earlier daemon left running for this session, if the backend still has it
  // and it wrote nothing after `quiet_since`; state starting -> ready once it
  // answers its probe. A failure leaves the session stopped (the next message
  // starts a new agent that resumes the conversation) and says why.
  SvResult<void> Reattach(std::chrono::system_clock::time_point quiet_since);
  // Daemon shutdown in adopt mode: lets a ready agent run on for the next daemon
  // to Reattach; the record stays `ready`. False (nothing changed) if the session
  // is not ready or its backend cannot.
  bool Detach();
  // Ends the process but keeps the session (idle timeout, daemon shutdown).
  void Stop(StopReason reason);
  // Ends the process for good, closes every subscription, forgets the record.
  void Delete(StopReason reason);
  // Whether the process can be reaped: running, not busy, idle since `cutoff_ms`.
  bool IdleSince(std::int64_t cutoff_ms) const;
  bool Running() const;
  // Appends a session-scoped audit record (created, killed, ...); not waited for.
  void Audit(const char* type, nlohmann::json data, std::string actor = "system");

 private:
  // ProviderHost (called with mu_ held, from a provider).
  void Emit(EventPayload payload) override;
  void WriteLine(std::string line) override;
  void SignalAgent(int sig) override;
  void AgentReady() override;
  TimerId ScheduleAfter(std::chrono::milliseconds delay, std::function<void()> fn) override;
  void CancelTimer(TimerId id) override;
  const std::string& WorkDir() const override { return record_.workdir; }
  void RecordDecision(PermissionDecision decision,
                      std::function<void(const hotplex::Status&)> then) override;
  // Audit records (supervisor/session_audit.cpp; AUDIT.md lists them).
  void AuditLocked(const char* type, nlohmann::json data, std::string actor = "system");
  void RemoveHome() const;  // at Delete, without following the tenant's links
  void AuditPromptLocked(std::string_view text);

  // What one launch needs, read under mu_ and used without it.
  struct LaunchPlan {
    sandbox::SandboxSpec spec;
    std::shared_ptr<EgressGateway> egress;
    std::uint64_t generation = 0;  // generation_ the process belongs to
    std::optional<std::chrono::system_clock::time_point> reattach;
    std::string last_output_digest;  // for a reattach's quiet check
    sandbox::Backend* backend = nullptr;
    std::string backend_name;  // for the spawn-latency metric
    AgentProcess::Callbacks callbacks;
    AgentProcess::Options options;
  };
  using Reattaching = std::optional<std::chrono::system_clock::time_point>;
  // The checks every prompt passes (deleted, audit health, size).
  SvResult<void> CheckPromptLocked(std::string_view text) const;
  SvResult<std::uint64_t> SendLocked(std::string_view text);
  SvResult<void> StartLocked(std::unique_lock<std::mutex>& lock);
  // Builds the spec and the egress gateway (under mu_), launches the agent (no
  // quiet_since) or reattaches to it with mu_ released, then installs it; on
  // failure the session is stopped.
  SvResult<void> OpenAgent(std::unique_lock<std::mutex>& lock, Reattaching reattach);
  SvResult<LaunchPlan> PrepareLaunchLocked(Reattaching reattach);
  SvResult<void> InstallLocked(LaunchPlan& plan, Result<std::shared_ptr<AgentProcess>> process);
  SvResult<void> LaunchFailedLocked(const LaunchPlan& plan, const hotplex::Error& error);
  void StopLocked(SessionState next, std::string reason);
  void SetStateLocked(SessionState state, std::string reason);
  void PersistLocked();
  std::unique_ptr<Provider> MakeProvider();
  Result<sandbox::SandboxSpec> BuildSpec(bool resume) const;
  const AgentBinary* HostAgentBinary() const;
  AgentProcess::Callbacks MakeCallbacks(std::uint64_t generation);
  void OnOutput(std::uint64_t generation, bool is_stdout, std::string_view line, bool truncated);
  void OnExit(std::uint64_t generation, const sandbox::Outcome& outcome);
  // Metrics always, audit when there is a sink, then deps_.observers; again on Adopt().
  void SetObserversLocked();
  void CloseEgressLocked();
  std::function<void(const EgressDecision&)> EgressRecorder();

  std::string id_;  // changes only in Adopt()
  const std::string tenant_id_;
  SessionDeps deps_;
  Strand strand_;
  EventLog events_;
  mutable std::mutex mu_;
  SessionRecord record_;
  std::unique_ptr<Provider> provider_;
  std::shared_ptr<AgentProcess> process_;
  std::shared_ptr<EgressGateway> egress_;  // network mode egress: lives as long as process_
  std::uint64_t generation_ = 0;  // bumped per process, so late callbacks of an old one are ignored
  bool launching_ = false;        // a launch runs with mu_ released
  std::condition_variable launch_done_;  // launching_ went false
  std::map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
  TimerId next_timer_ = 1;
  std::vector<std::shared_ptr<SessionObserver>> observers_;  // told of every Emit
};

using SessionPtr = std::shared_ptr<Session>;

}  // namespace hotplex::supervisor
