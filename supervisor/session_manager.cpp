#include "supervisor/session_manager.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include "sandbox/host_path.hpp"
#include "supervisor/exec_provider.hpp"
#include "supervisor/metrics/metrics.hpp"
#include "supervisor/session_id.hpp"

namespace hotplex::supervisor {
namespace fs = std::filesystem;

namespace {

// Long tenant-supplied paths are cut in messages and audit records.
std::string Shortened(std::string_view path) {
  constexpr std::size_t kShown = 200;
  if (path.size() <= kShown) return std::string(path);
  return std::string(path.substr(0, kShown)) + "... (" + std::to_string(path.size()) + " bytes)";
}

// The refusal is audited: a tenant probing for links to host directories shows.
void AuditRefused(AuditSink* audit, const Tenant& tenant, const char* what, std::string_view path,
                  const hotplex::Error& why) {
  Metrics::Global().WorkdirRefused(why.sys_errno);
  if (audit == nullptr) return;
  audit->Append(
      AuditRecord{audit_type::kWorkdirRefused,
                  tenant.id,
                  {},
                  "client:" + tenant.id,
                  {{"what", what}, {"path", Shortened(path)}, {"reason", why.Describe()}}},
      nullptr);
}

// The tenant's workspace root, 0700 and owned by the tenant. Its parent is
// root's, so the tenant cannot replace it with a link; below it, everything
// is resolved with sandbox/host_path.
hotplex::Result<UniqueFd> OpenWorkspaceRoot(const Tenant& tenant) {
  HOTPLEX_TRY(UniqueFd root, sandbox::OpenTrustedDir(tenant.workspace_root, true));
  const sandbox::DirOwner owner = sandbox::TenantOwner(tenant.uid, tenant.gid);
  if (owner.uid != static_cast<uid_t>(-1)) HOTPLEX_TRY_STATUS(sandbox::SetOwner(root.Get(), owner));
  return root;
}

// root + relative (validated: no "..", not absolute) as a normalised absolute path.
std::string JoinBelow(const std::string& root, const std::string& relative) {
  std::string out = (fs::path(root) / fs::path(relative)).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

SessionManager::SessionManager(boost::asio::io_context& io, ManagerOptions options,
                               const TenantRegistry& tenants, const PolicySource& policies,
                               Backends backends, SessionStore* store)
    : io_(io),
      options_(std::move(options)),
      tenants_(tenants),
      policies_(policies),
      backends_(std::move(backends)),
      store_(store),
      reap_timer_(io),
      launcher_(std::make_unique<Launcher>(options_.launcher)),
      pool_(std::make_unique<WarmPool>(
          WarmPool::Hooks{[this](const WarmKey& key) { return LaunchWarm(key); },
                          [this](const WarmKey& key) { return CurrentPolicy(key); }},
          options_.warm_pool, *launcher_, io)) {
  // A write to the stdin of an agent that just died must fail with EPIPE, not
  // kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
}

SessionManager::~SessionManager() {
  pool_->Drain();
  launcher_->Stop();  // runs what is queued: those jobs still find the sessions
}

SvResult<SessionDeps> SessionManager::DepsFor(const Tenant& tenant, const std::string& team) const {
  SessionDeps deps;
  deps.policy = policies_.Get(team);
  if (!deps.policy) {
    return SvError(ErrorKind::kUnavailable, "policy '" + team + "' is not loaded");
  }
  auto backend = deps.policy->backend ? backends_.find(*deps.policy->backend) : backends_.end();
  if (backend == backends_.end() || backend->second == nullptr) {
    return SvError(ErrorKind::kUnavailable, "sandbox backend '" + deps.policy->backend_name +
                                                "' of policy '" + team +
                                                "' is not available on this host");
  }
  deps.io = &io_;
  deps.backend = backend->second;
  deps.identity.host_uid = tenant.uid;
  deps.identity.host_gid = tenant.gid;
  deps.store = store_;
  deps.audit = options_.audit;
  deps.transcripts = options_.transcripts;
  deps.audit_prompt_text = options_.audit_prompt_text;
  deps.claude_command = options_.claude_command;
  deps.extra_mounts = options_.extra_mounts;
  deps.claude_binary = options_.claude_binary;
  deps.ring_capacity = options_.ring_capacity;
  deps.ring_bytes = options_.ring_bytes;
  deps.max_line_bytes = options_.max_line_bytes;
  deps.workspace_root = tenant.workspace_root;
  deps.homes_root = HomesRoot();
  return deps;
}

hotplex::Status SessionManager::Recover() {
  std::vector<SessionRecord> records;
  if (store_ != nullptr) {
    HOTPLEX_TRY(records, store_->LoadAll());
  }
  struct Candidate {
    SessionPtr session;
    std::chrono::system_clock::time_point quiet_since;
  };
  std::vector<Candidate> reattach;
  {
    std::lock_guard lock(mu_);
    for (auto& record : records) {
      const Tenant* tenant = tenants_.Find(record.tenant_id);
      if (tenant == nullptr) continue;  // tenant removed from the config: keep the row, hide it
      auto deps = DepsFor(*tenant, record.policy);
      if (!deps) continue;
      // Only an agent that was idle can be taken back: mid-turn its output went unread.
      const bool idle = record.state == SessionState::kReady;
      const bool can_reattach = idle && deps->backend->CanReattach();
      const auto quiet_since =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(record.last_active_ms));
      record.state = SessionState::kStopped;
      record.state_reason = "daemon restarted";
      record.turns_ended = record.turns;
      const std::string id = record.id;
      auto session = std::make_shared<Session>(std::move(record), std::move(*deps));
      if (can_reattach) reattach.push_back({session, quiet_since});
      sessions_.emplace(id, std::move(session));
    }
  }
  for (auto& c : reattach) {
    // The quiet check: the container's newest line must be the last one the
    // earlier daemon read (record.last_output_digest) or older than a second
    // before it read it (last_active_ms): docker stamps lines with its own clock,
    // a little before or after ours.
    bool taken = false;
    const bool ran = launcher_->RunAndWait(
        [&] { taken = c.session->Reattach(c.quiet_since - std::chrono::seconds(1)).has_value(); });
    if (ran && taken) ++reattached_;
  }
  // Containers of sessions that are gone, busy or refused: removed, not leaked.
  for (const auto& [kind, backend] : backends_) {
    if (backend != nullptr) backend->DiscardUnclaimed();
  }
  return {};
}

SvResult<void> SessionManager::Admit(const Tenant& tenant, const SessionPolicy& policy,
                                     const CreateRequest& request) const {
  if (request.provider == ProviderKind::kExec) {
    if (request.argv.empty()) return SvError(ErrorKind::kBadRequest, "exec sessions need argv");
    if (!ExecCommandAllowed(request.argv[0], policy.exec_allowed_commands)) {
      return SvError(ErrorKind::kBadRequest,
                     "command '" + request.argv[0] + "' is not in the policy's allowed_commands");
    }
  } else if (!request.argv.empty()) {
    return SvError(ErrorKind::kBadRequest, "argv is only for exec sessions");
  }
  std::size_t count = 0;
  for (const auto& [id, s] : sessions_) count += s->TenantId() == tenant.id ? 1 : 0;
  if (count >= policy.max_sessions) {
    return SvError(ErrorKind::kTooManySessions,
                   "tenant has " + std::to_string(count) + " sessions, the policy allows " +
                       std::to_string(policy.max_sessions) + "; delete one first");
  }
  return {};
}

// Creates (as needed) and checks the workdir without ever following a link the
// tenant planted: mkdirat/openat(O_NOFOLLOW) step by step beneath the root's
// fd, chown only through the fd of what it created. The sandbox resolves it
// again the same way at launch and mounts the fd (Session::BuildSpec).
SvResult<std::string> SessionManager::PrepareWorkdir(const Tenant& tenant,
                                                     const std::string& relative) const {
  auto refuse = [&](const hotplex::Error& why) {
    AuditRefused(options_.audit, tenant, "workdir", relative, why);
    return SvError(ErrorKind::kBadRequest,
                   "workdir '" + Shortened(relative) + "' refused: " + why.message +
                       " (a workdir is a directory below the workspace root, relative to it, "
                       "reached without symlinks)");
  };
  if (auto valid = sandbox::ValidateRelativePath(relative); !valid) return refuse(valid.error());
  auto root = OpenWorkspaceRoot(tenant);
  if (!root) {
    return SvError(ErrorKind::kInternal,
                   "workspace root " + tenant.workspace_root + ": " + root.error().Describe());
  }
  auto dir =
      sandbox::MakeDirsBeneath(root->Get(), relative, sandbox::TenantOwner(tenant.uid, tenant.gid));
  if (!dir) {
    if (sandbox::IsHostPathRefusal(dir.error())) return refuse(dir.error());
    return SvError(ErrorKind::kInternal, "cannot create workdir '" + Shortened(relative) +
                                             "': " + dir.error().Describe());
  }
  return JoinBelow(tenant.workspace_root, relative);
}

std::string SessionManager::HomesRoot() const {
  return fs::absolute(fs::path(options_.state_dir) / "homes").lexically_normal().string();
}

// <state_dir>/homes/<id>, 0700 and the tenant's. homes/ itself is root's
// (0711: the process backend's payload passes through it to its $HOME).
SvResult<std::string> SessionManager::PrepareHome(const Tenant& tenant,
                                                  const std::string& id) const {
  auto homes = sandbox::OpenTrustedDir(HomesRoot(), true, 0711);
  if (!homes) return SvError(ErrorKind::kInternal, "homes dir: " + homes.error().Describe());
  auto home =
      sandbox::MakeDirsBeneath(homes->Get(), id, sandbox::TenantOwner(tenant.uid, tenant.gid));
  if (!home) {
    AuditRefused(options_.audit, tenant, "home", id, home.error());
    return SvError(ErrorKind::kInternal, "cannot make the session's home " + HomesRoot() + "/" +
                                             id + ": " + home.error().Describe());
  }
  return JoinBelow(HomesRoot(), id);
}

SvResult<CreateResult> SessionManager::Create(const Tenant& tenant, const CreateRequest& request) {
  auto deps = DepsFor(tenant, tenant.team);
  if (!deps) return deps.error();
  const std::string deps_policy_name = deps->policy->name;
  SessionRecord record;
  record.id = request.key.empty() ? RandomSessionId() : SessionIdForKey(tenant.id, request.key);
  SessionPtr session;
  bool adopted = true;
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return SvError(ErrorKind::kUnavailable, "the daemon is shutting down");
    if (auto it = sessions_.find(record.id); it != sessions_.end()) {
      return CreateResult{it->second, false};
    }
    if (draining_) {
      return SvError(ErrorKind::kDraining, "the daemon is draining: it admits no new sessions");
    }
    if (options_.audit != nullptr && !options_.audit->Healthy()) {
      return SvError(ErrorKind::kAuditUnavailable,
                     "audit store unavailable: no session is admitted until it can write");
    }
    auto admitted = Admit(tenant, *deps->policy, request);
    if (!admitted) return admitted.error();
    if (SessionPtr warm = request.workdir.empty()
                              ? pool_->Take(KeyFor(tenant, request), deps->policy)
                              : nullptr) {
      warm->Adopt(record.id, request.key, std::move(*deps));
      sessions_.emplace(warm->Id(), warm);
      session = std::move(warm);
    } else {
      auto workdir = PrepareWorkdir(tenant, request.workdir);
      if (!workdir) return workdir.error();
      auto home = PrepareHome(tenant, record.id);
      if (!home) return home.error();
      record.tenant_id = tenant.id;
      record.key = request.key;
      record.provider = request.provider;
      record.policy = deps->policy->name;
      record.workdir = std::move(*workdir);
      record.home = std::move(*home);
      record.conversation_id = record.id;
      record.argv = request.argv;
      record.created_ms = record.last_active_ms = NowUnixMs();
      session = std::make_shared<Session>(std::move(record), std::move(*deps));
      // Reserved before the launch so that a concurrent create with the same key
      // finds it instead of launching a second agent.
      sessions_.emplace(session->Id(), session);
      adopted = false;
    }
  }
  if (adopted) {  // from the warm pool: already running
    AuditCreated(*session, tenant, request, deps_policy_name, true);
    FlushStore();
    return CreateResult{session, true};
  }
  // A miss on the tenant's default workdir: keep sessions like this one warm.
  if (tenant.warm_pool > 0 && request.workdir.empty()) {
    pool_->SetTarget(KeyFor(tenant, request), tenant.warm_pool);
  }
  auto started = session->Start();
  if (!started) {
    session->Delete(StopReason::kFailedToStart);
    std::lock_guard lock(mu_);
    sessions_.erase(session->Id());
    return started.error();
  }
  AuditCreated(*session, tenant, request, deps_policy_name, false);
  FlushStore();
  return CreateResult{session, true};
}

// A created session's row is committed before its 201: it survives a kill -9.
// (A failed write is logged by the store; the session itself works on.)
void SessionManager::FlushStore() const {
  if (store_ != nullptr) (void)store_->Flush();
}

void SessionManager::AuditCreated(Session& session, const Tenant& tenant,
                                  const CreateRequest& request, const std::string& policy,
                                  bool warm) const {
  session.Audit(audit_type::kSessionCreated,
                {{"policy", policy},
                 {"provider", ProviderKindName(request.provider)},
                 {"key", request.key},
                 {"warm_pool", warm}},
                "client:" + tenant.id);
}

SvResult<SessionPtr> SessionManager::Get(const Tenant& tenant, std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  // Another tenant's session answers exactly like one that does not exist.
  if (it == sessions_.end() || it->second->TenantId() != tenant.id) {
    return SvError(ErrorKind::kNotFound, "no such session");
  }
  return it->second;
}

std::vector<SessionPtr> SessionManager::List(const Tenant& tenant) const {
  std::lock_guard lock(mu_);
  std::vector<SessionPtr> out;
  for (const auto& [id, s] : sessions_) {
    if (s->TenantId() == tenant.id) out.push_back(s);
  }
  return out;
}

SvResult<void> SessionManager::Delete(const Tenant& tenant, std::string_view id) {
  SessionPtr session;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->TenantId() != tenant.id) {
      return SvError(ErrorKind::kNotFound, "no such session");
    }
    session = it->second;
    sessions_.erase(it);
  }
  session->Delete(StopReason::kDeletedByClient);
  FlushStore();
  return {};
}

void SessionManager::StartReaper() {
  ScheduleReap();
  StartWarmPool();
}

void SessionManager::ScheduleReap() {
  reap_timer_.expires_after(options_.reap_interval);
  reap_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    ReapIdle();
    ScheduleReap();
  });
}

void SessionManager::ReapIdle() {
  const std::int64_t now = NowUnixMs();
  std::vector<SessionPtr> idle;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : sessions_) {
      const auto timeout = s->Policy().idle_timeout.count();
      if (timeout > 0 && s->IdleSince(now - timeout)) idle.push_back(s);
    }
  }
  for (auto& s : idle) s->Stop(StopReason::kIdleTimeout);
}

void SessionManager::Shutdown(std::chrono::milliseconds grace) {
  std::vector<SessionPtr> all;
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    for (const auto& [id, s] : sessions_) all.push_back(s);
  }
  reap_timer_.cancel();
  for (auto& s : all) {
    if (!options_.detach_on_shutdown || !s->Detach()) s->Stop(StopReason::kDaemonShutdown);
  }
  // After the sessions: an adopted agent's parent-death signal follows the pool
  // thread that launched it.
  pool_->Drain();
  for (auto& s : all) {
    s->Events().CloseAll(ErrorEvent{ErrorCode::kShuttingDown,
                                    "the daemon is shutting down; reconnect later with "
                                    "after=<last seq seen>"});
  }
  // The kills run on the io threads; wait (bounded) until every sandbox is reaped.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (AgentProcess::LiveCount() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<SessionPtr> SessionManager::ListAll() const {
  std::lock_guard lock(mu_);
  std::vector<SessionPtr> out;
  out.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_) out.push_back(s);
  return out;
}

SvResult<SessionPtr> SessionManager::GetAny(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return SvError(ErrorKind::kNotFound, "no such session");
  return it->second;
}

SvResult<SessionPtr> SessionManager::Kill(std::string_view id) {
  SessionPtr session;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return SvError(ErrorKind::kNotFound, "no such session");
    session = it->second;
    sessions_.erase(it);
  }
  session->Delete(StopReason::kKilledByAdmin);
  FlushStore();
  return session;
}

std::size_t SessionManager::Count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace hotplex::supervisor
