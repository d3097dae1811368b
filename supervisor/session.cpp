#include "supervisor/session.hpp"

#include <filesystem>

#include <boost/asio/post.hpp>

#include "sandbox/host_path.hpp"
#include "supervisor/egress/egress_gateway.hpp"
#include "supervisor/metrics/metrics.hpp"
#include "supervisor/sandbox_spec_builder.hpp"
#include "supervisor/session_audit_observer.hpp"
#include "supervisor/session_metrics_observer.hpp"

namespace hotplex::supervisor {
namespace asio = boost::asio;

Session::Session(SessionRecord record, SessionDeps deps)
    : id_(record.id),
      tenant_id_(record.tenant_id),
      deps_(std::move(deps)),
      strand_(asio::make_strand(*deps_.io)),
      events_(record.id, {deps_.ring_capacity, deps_.ring_bytes}, record.last_seq + 1,
              deps_.transcripts, record.tenant_id),
      record_(std::move(record)) {
  SetObserversLocked();  // nobody else sees the session yet
}

void Session::SetObserversLocked() {
  observers_.clear();
  observers_.push_back(std::make_shared<SessionMetricsObserver>(Metrics::Global()));
  if (deps_.audit != nullptr) {
    observers_.push_back(std::make_shared<SessionAuditObserver>(*deps_.audit));
  }
  observers_.insert(observers_.end(), deps_.observers.begin(), deps_.observers.end());
}

Session::~Session() {
  // A process still running here (daemon shutdown without Stop) is killed by its
  // Sandbox's destructor once the last handler holding it is gone.
  if (process_) asio::post(strand_, [p = process_] { p->Kill(); });
}

SessionRecord Session::Snapshot() const {
  std::lock_guard lock(mu_);
  SessionRecord copy = record_;
  copy.last_seq = events_.LastSeq();
  return copy;
}

bool Session::Running() const {
  std::lock_guard lock(mu_);
  return process_ != nullptr;
}

bool Session::IdleSince(std::int64_t cutoff_ms) const {
  std::lock_guard lock(mu_);  // never held across a launch: a short wait at most
  return process_ != nullptr && record_.state == SessionState::kReady &&
         record_.last_active_ms < cutoff_ms;
}

SvResult<void> Session::Start() {
  std::unique_lock lock(mu_);
  launch_done_.wait(lock, [this] { return !launching_; });  // bounded by that launch
  if (record_.state == SessionState::kDead) return SvError(ErrorKind::kNotFound, "session deleted");
  if (process_) return {};
  return StartLocked(lock);
}

void Session::Adopt(std::string id, std::string key, SessionDeps deps) {
  std::lock_guard lock(mu_);
  id_ = id;
  record_.conversation_id = ConversationIdOf(record_);
  record_.id = std::move(id);
  record_.key = std::move(key);
  record_.created_ms = record_.last_active_ms = NowUnixMs();
  deps_ = std::move(deps);
  SetObserversLocked();
  events_.Rename(id_);
  PersistLocked();
}

const AgentBinary* Session::HostAgentBinary() const {
  return supervisor::HostAgentBinary(record_.provider, deps_.backend->Kind(), deps_.claude_binary);
}

std::unique_ptr<Provider> Session::MakeProvider() {
  return supervisor::MakeProvider(static_cast<ProviderHost&>(*this), record_, *deps_.policy,
                                  deps_.claude_command, HostAgentBinary());
}

Result<sandbox::SandboxSpec> Session::BuildSpec(bool resume) const {
  return BuildSandboxSpec({.record = record_,
                           .policy = *deps_.policy,
                           .backend = deps_.backend->Kind(),
                           .identity = deps_.identity,
                           .argv = provider_->Argv(resume),
                           .extra_mounts = deps_.extra_mounts,
                           .host_agent = HostAgentBinary(),
                           .workspace_root = deps_.workspace_root,
                           .homes_root = deps_.homes_root});
}

AgentProcess::Callbacks Session::MakeCallbacks(std::uint64_t generation) {
  std::weak_ptr<Session> weak = weak_from_this();
  AgentProcess::Callbacks cb;
  cb.on_stdout = [weak, generation](std::string_view line, bool truncated) {
    if (auto self = weak.lock()) self->OnOutput(generation, true, line, truncated);
  };
  cb.on_stderr = [weak, generation](std::string_view line, bool truncated) {
    if (auto self = weak.lock()) self->OnOutput(generation, false, line, truncated);
  };
  cb.on_exit = [weak, generation](const sandbox::Outcome& outcome) {
    if (auto self = weak.lock()) self->OnExit(generation, outcome);
  };
  return cb;
}

SvResult<void> Session::StartLocked(std::unique_lock<std::mutex>& lock) {
  SetStateLocked(SessionState::kStarting, record_.has_conversation ? "resuming" : "launching");
  if (record_.has_conversation) {
    AuditLocked(audit_type::kSessionResumed, {{"turns", record_.turns}});
  }
  if (generation_ > 0 || record_.has_conversation) Metrics::Global().AgentRestart();
  return OpenAgent(lock, std::nullopt);
}

SvResult<void> Session::Reattach(std::chrono::system_clock::time_point quiet_since) {
  std::unique_lock lock(mu_);
  if (record_.state == SessionState::kDead || process_ || launching_) {
    return SvError(ErrorKind::kConflict, "session is not stopped");
  }
  const std::string before = record_.state_reason;
  SetStateLocked(SessionState::kStarting, "re-adopting the agent left running");
  auto opened = OpenAgent(lock, quiet_since);
  if (!opened) {
    if (record_.state != SessionState::kDead) {
      SetStateLocked(SessionState::kStopped,
                     before + "; its agent was not re-adopted: " + opened.error().message);
    }
    return opened;
  }
  AuditLocked(audit_type::kSessionReadopted, {{"turns", record_.turns}});
  return {};
}

// mu_ is held on entry and on return but not during the launch itself: strand
// callbacks and readers of this session never wait for a sandbox setup.
SvResult<void> Session::OpenAgent(std::unique_lock<std::mutex>& lock, Reattaching reattach) {
  auto plan = PrepareLaunchLocked(reattach);
  if (!plan) return plan.error();
  launching_ = true;
  lock.unlock();
  const auto launch_started = std::chrono::steady_clock::now();
  auto process = plan->reattach
                     ? AgentProcess::Reattach(strand_, *plan->backend, std::move(plan->spec),
                                              *plan->reattach, plan->last_output_digest,
                                              std::move(plan->callbacks), plan->options)
                     : AgentProcess::Launch(strand_, *plan->backend, std::move(plan->spec),
                                            std::move(plan->callbacks), plan->options);
  if (process && !plan->reattach) {
    Metrics::Global().SandboxSpawned(plan->backend_name,
                                     std::chrono::steady_clock::now() - launch_started);
  }
  lock.lock();
  launching_ = false;
  launch_done_.notify_all();
  return InstallLocked(*plan, std::move(process));
}

SvResult<Session::LaunchPlan> Session::PrepareLaunchLocked(Reattaching reattach) {
  provider_ = MakeProvider();
  auto spec = BuildSpec(record_.has_conversation);
  if (!spec) {
    SetStateLocked(SessionState::kStopped, spec.error().Describe());
    if (sandbox::IsHostPathRefusal(spec.error())) {  // a link planted in the workdir or home
      Metrics::Global().WorkdirRefused(spec.error().sys_errno);
      AuditLocked(
          audit_type::kWorkdirRefused,
          {{"what", "start"}, {"path", record_.workdir}, {"reason", spec.error().Describe()}});
      return SvError(ErrorKind::kBadRequest, spec.error().Describe());
    }
    return SvError(ErrorKind::kInternal, spec.error().Describe());
  }
  // Egress listeners are installed by the launch itself (spec.network_ready).
  auto egress = AttachEgressGateway(*deps_.io, *deps_.policy, *spec, EgressRecorder());
  if (!egress) {
    SetStateLocked(SessionState::kStopped, egress.error().Describe());
    return SvError(ErrorKind::kInternal, egress.error().Describe());
  }
  LaunchPlan plan;
  plan.spec = std::move(*spec);
  plan.egress = std::move(*egress);
  plan.generation = ++generation_;
  plan.reattach = reattach;
  plan.last_output_digest = record_.last_output_digest;
  plan.backend = deps_.backend;
  plan.backend_name = deps_.policy->backend_name;
  plan.callbacks = MakeCallbacks(plan.generation);
  plan.options.max_line_bytes = deps_.max_line_bytes;
  plan.options.wall_time = deps_.policy->limits.wall_time;
  return plan;
}

// Stop, Delete or the agent's own early exit moved the generation while the
// launch ran without the lock: that launch lost, its process is dropped.
SvResult<void> Session::InstallLocked(LaunchPlan& plan,
                                      Result<std::shared_ptr<AgentProcess>> process) {
  if (plan.generation != generation_) {
    if (process) asio::post(strand_, [p = std::move(*process)] { p->Kill(); });
    if (plan.egress) plan.egress->Close();
    if (record_.state == SessionState::kDead) {
      return SvError(ErrorKind::kNotFound, "session deleted while its agent was launching");
    }
    return SvError(ErrorKind::kUnavailable, "the session stopped while its agent was launching (" +
                                                record_.state_reason + "); send the message again");
  }
  egress_ = std::move(plan.egress);
  if (!process) return LaunchFailedLocked(plan, process.error());
  process_ = std::move(*process);
  record_.turns_ended = record_.turns;
  record_.last_active_ms = NowUnixMs();
  // A reattached agent is probed like a new one: it answers once its stdio is ours.
  provider_->OnStarted();
  return {};
}

SvResult<void> Session::LaunchFailedLocked(const LaunchPlan& plan, const hotplex::Error& error) {
  CloseEgressLocked();
  provider_.reset();
  if (plan.reattach) return SvError(ErrorKind::kUnavailable, error.Describe());
  std::string detail = error.Describe();
  if (const AgentBinary* binary = HostAgentBinary()) {
    detail = ExplainAgentLaunchFailure(*binary, detail);
  }
  const std::string why = "sandbox launch failed: " + detail;
  Emit(ErrorEvent{ErrorCode::kLaunchFailed, why});
  SetStateLocked(SessionState::kStopped, why);
  return SvError(ErrorKind::kUnavailable, why);
}

bool Session::Detach() {
  std::lock_guard lock(mu_);
  if (!process_ || record_.state != SessionState::kReady || !deps_.backend->CanReattach()) {
    return false;
  }
  // Posted like Kill(). Should the agent have ended meanwhile, Detach() refuses
  // and the dropped process is reaped as usual: the next daemon finds nothing.
  asio::post(strand_, [p = std::move(process_)] { (void)p->Detach(); });
  if (provider_) provider_->OnAgentExit();
  timers_.clear();
  process_ = nullptr;
  ++generation_;
  CloseEgressLocked();
  AuditLocked(audit_type::kSessionStopped,
              {{"reason", StopReasonText(StopReason::kDaemonShutdown)}, {"detached", true}});
  PersistLocked();  // still `ready`: the next daemon re-adopts it
  return true;
}

SvResult<void> Session::CheckPromptLocked(std::string_view text) const {
  if (record_.state == SessionState::kDead) return SvError(ErrorKind::kNotFound, "session deleted");
  if (deps_.audit != nullptr && !deps_.audit->Healthy()) {
    return SvError(ErrorKind::kAuditUnavailable, "audit store unavailable: prompts are refused");
  }
  if (text.size() > deps_.policy->max_prompt_bytes) {
    return SvError(ErrorKind::kPromptTooLarge,
                   "prompt of " + std::to_string(text.size()) + " bytes exceeds the policy's " +
                       std::to_string(deps_.policy->max_prompt_bytes) + "-byte limit");
  }
  return {};
}

SvResult<std::uint64_t> Session::SendMessage(std::string_view text) {
  std::unique_lock lock(mu_);
  launch_done_.wait(lock, [this] { return !launching_; });  // bounded by that launch
  if (auto ok = CheckPromptLocked(text); !ok) return ok.error();
  if (!process_) {
    auto started = StartLocked(lock);
    if (!started) return started.error();
  }
  return SendLocked(text);
}

std::optional<SvResult<std::uint64_t>> Session::SendIfRunning(std::string_view text) {
  std::lock_guard lock(mu_);
  if (launching_) return std::nullopt;
  if (auto ok = CheckPromptLocked(text); !ok) return SvResult<std::uint64_t>(ok.error());
  if (!process_) return std::nullopt;
  return SendLocked(text);
}

SvResult<std::uint64_t> Session::SendLocked(std::string_view text) {
  AuditPromptLocked(text);
  ++record_.turns;
  record_.has_conversation = true;
  record_.last_active_ms = NowUnixMs();
  provider_->SendPrompt(text);
  if (provider_->HasTurns()) {
    SetStateLocked(SessionState::kBusy, "turn " + std::to_string(record_.turns));
  } else {
    record_.turns_ended = record_.turns;
    PersistLocked();
  }
  return record_.turns;
}

SvResult<void> Session::Interrupt() {
  std::lock_guard lock(mu_);
  if (record_.state == SessionState::kDead) return SvError(ErrorKind::kNotFound, "session deleted");
  if (!process_) return SvError(ErrorKind::kConflict, "the agent is not running");
  auto status = provider_->Interrupt();
  if (!status) return SvError(ErrorKind::kConflict, status.error().Describe());
  return {};
}

SvResult<void> Session::AnswerPermission(std::string_view request_id, bool allow,
                                         std::string_view message) {
  std::lock_guard lock(mu_);
  if (!process_ || !provider_) {
    return SvError(ErrorKind::kNotFound, "no pending permission request with this id");
  }
  auto status = provider_->AnswerPermission(request_id, allow, message);
  if (!status) return SvError(ErrorKind::kNotFound, status.error().Describe());
  record_.last_active_ms = NowUnixMs();
  return {};
}

void Session::Stop(StopReason why) {
  std::lock_guard lock(mu_);
  if (record_.state == SessionState::kDead) return;
  const std::string reason = StopReasonText(why);
  if (process_) AuditLocked(StopAuditType(why), {{"reason", reason}});
  StopLocked(SessionState::kStopped, reason);
}

void Session::Delete(StopReason why) {
  const std::string reason = StopReasonText(why);
  {
    std::lock_guard lock(mu_);
    if (record_.state == SessionState::kDead) return;
    AuditLocked(StopAuditType(why), {{"reason", reason}});
    StopLocked(SessionState::kDead, reason);
    if (deps_.store) deps_.store->Remove(id_);
  }
  events_.CloseAll(ErrorEvent{ErrorCode::kSessionDeleted, reason});
  RemoveHome();
}

// The home is the tenant's to fill with links: removed beneath homes/, level by
// level from fds opened O_NOFOLLOW, never following one (best effort, as before).
void Session::RemoveHome() const {
  if (deps_.homes_root.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(record_.home, ignored);
    return;
  }
  auto name = sandbox::RelativeBelow(deps_.homes_root, record_.home);
  auto homes = sandbox::OpenTrustedDir(deps_.homes_root, false);
  if (name && homes) (void)sandbox::RemoveTreeBeneath(homes->Get(), *name);
}

void Session::StopLocked(SessionState next, std::string reason) {
  if (provider_) provider_->OnAgentExit();
  timers_.clear();
  if (process_) {
    asio::post(strand_, [p = std::move(process_)] { p->Kill(); });
    process_ = nullptr;
    ++generation_;  // its exit is still reported, but changes no state
  } else if (launching_) {
    ++generation_;  // the launch in flight loses: InstallLocked drops its process
  }
  CloseEgressLocked();
  record_.turns_ended = record_.turns;
  SetStateLocked(next, std::move(reason));
}

void Session::SetStateLocked(SessionState state, std::string reason) {
  if (record_.state == state && record_.state_reason == reason) return;
  record_.state = state;
  record_.state_reason = reason;
  Emit(Status{state, std::move(reason)});
  PersistLocked();
}

void Session::PersistLocked() {
  if (deps_.store == nullptr || record_.state == SessionState::kDead) return;
  record_.last_seq = events_.LastSeq();
  deps_.store->Save(record_);
}

void Session::OnOutput(std::uint64_t generation, bool is_stdout, std::string_view line,
                       bool truncated) {
  std::lock_guard lock(mu_);
  if (generation != generation_ || !provider_) return;
  record_.last_active_ms = NowUnixMs();
  if (is_stdout) {
    provider_->OnStdoutLine(line, truncated);
  } else {
    provider_->OnStderrLine(line, truncated);
  }
  // A re-adopting daemon trusts an idle agent only if its newest line is the one
  // read last (digest) or older than the stored last_active_ms: output while
  // ready must move both (rare; mid-turn lines are covered by the ready state
  // that ends the turn).
  if (deps_.backend->CanReattach()) {
    record_.last_output_digest = truncated ? "truncated" : sandbox::OutputLineDigest(line);
    if (record_.state == SessionState::kReady) PersistLocked();
  }
}

void Session::OnExit(std::uint64_t generation, const sandbox::Outcome& outcome) {
  std::lock_guard lock(mu_);
  Emit(Exit{outcome.kind, outcome.code, outcome.Describe()});
  if (generation != generation_) return;  // stopped or deleted on purpose
  process_ = nullptr;
  CloseEgressLocked();
  ++generation_;
  const bool mid_turn = record_.state == SessionState::kBusy;
  if (mid_turn || !outcome.NormalExit() || outcome.code != 0) {
    Metrics::Global().AgentCrash();
    Emit(ErrorEvent{mid_turn ? ErrorCode::kAgentCrashed : ErrorCode::kAgentExited,
                    "the agent ended " + std::string(mid_turn ? "during a turn" : "") + ": " +
                        outcome.Describe() + "; the next message restarts it"});
  }
  if (provider_) provider_->OnAgentExit();
  timers_.clear();
  record_.turns_ended = record_.turns;
  SetStateLocked(SessionState::kStopped, "agent exited: " + outcome.Describe());
}

void Session::CloseEgressLocked() {
  if (egress_) std::exchange(egress_, nullptr)->Close();
}

void Session::Emit(EventPayload payload) {
  for (const auto& observer : observers_) observer->OnEvent({tenant_id_, id_}, payload);
  if (auto* end = std::get_if<TurnEnd>(&payload)) {
    if (record_.turns_ended < record_.turns) ++record_.turns_ended;
    end->turn = record_.turns_ended;
  }
  if (const auto* usage = std::get_if<Usage>(&payload)) {
    record_.input_tokens += usage->input_tokens;
    record_.output_tokens += usage->output_tokens;
    record_.cache_read_tokens += usage->cache_read_tokens;
    record_.cache_creation_tokens += usage->cache_creation_tokens;
    record_.cost_usd += usage->cost_usd;
  }
  const bool turn_ended = std::holds_alternative<TurnEnd>(payload);
  events_.Publish(std::move(payload));
  if (turn_ended && record_.state == SessionState::kBusy && record_.turns_ended >= record_.turns) {
    SetStateLocked(SessionState::kReady, "turn ended");
  } else if (turn_ended) {
    PersistLocked();
  }
}

void Session::WriteLine(std::string line) {
  if (!process_) return;
  std::weak_ptr<Session> weak = weak_from_this();
  asio::post(strand_, [p = process_, weak, line = std::move(line)]() mutable {
    if (p->WriteLine(std::move(line))) return;
    if (auto self = weak.lock()) {
      self->events_.Publish(
          ErrorEvent{ErrorCode::kStdinClosed, "the agent's input is closed or full"});
    }
  });
}

void Session::AgentReady() {
  if (record_.state == SessionState::kStarting) SetStateLocked(SessionState::kReady, "agent ready");
}

void Session::SignalAgent(int sig) {
  if (process_) asio::post(strand_, [p = process_, sig] { p->Signal(sig); });
}

ProviderHost::TimerId Session::ScheduleAfter(std::chrono::milliseconds delay,
                                             std::function<void()> fn) {
  const TimerId id = next_timer_++;
  auto timer = std::make_unique<asio::steady_timer>(strand_, delay);
  std::weak_ptr<Session> weak = weak_from_this();
  timer->async_wait([weak, id, fn = std::move(fn)](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    std::lock_guard lock(self->mu_);
    if (self->timers_.erase(id) == 0) return;  // cancelled after it fired
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void Session::CancelTimer(TimerId id) { timers_.erase(id); }

}  // namespace hotplex::supervisor
