// SessionManager: the set of live sessions and the rules for creating them.
//
// Responsible for: session ids (UUIDv5 of tenant+key, else v4), admission
// (the policy's max sessions per tenant and the exec command allow-list),
// workspace and home directories (created inside the tenant's workspace root
// and the state dir, owned by the tenant's host uid/gid), tenant isolation
// (another tenant's session id answers NotFound), restart recovery from the
// SessionStore (sessions come back `stopped`, or `ready` with their agent where
// the docker backend kept it running), idle reaping, and stopping (or, in docker
// adopt mode, detaching) every agent on shutdown, and the warm pool (a tenant's `warm_pool`
// pre-started sessions on its default workdir, adopted by Create; see WarmPool). It is not an HTTP
// layer: api/ maps its errors to statuses. Every sandbox launch runs on its Launcher (Launches()):
// Create() launches and so runs on a launcher thread (api/ co_awaits it through AsyncLaunch); so
// does Recover()'s Reattach and the warm pool's fills. Thread-safety: all public methods are
// thread-safe. Create() may launch a sandbox: call it on a launcher thread, never on an I/O thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "supervisor/launcher.hpp"
#include "supervisor/session.hpp"
#include "supervisor/session_policy.hpp"
#include "supervisor/session_store.hpp"
#include "supervisor/tenant_registry.hpp"
#include "supervisor/warm_pool.hpp"

namespace hotplex::supervisor {

struct CreateRequest {
  ProviderKind provider = ProviderKind::kClaudeCode;
  std::string key;                // optional stable client key
  std::string workdir;            // optional, relative to the tenant's workspace root
  std::vector<std::string> argv;  // exec only
};

struct CreateResult {
  SessionPtr session;
  bool created = false;  // false: the tenant reused a key and got the existing session
};

struct ManagerOptions {
  std::string state_dir;  // homes live in <state_dir>/homes/<id>
  std::vector<std::string> claude_command = {"claude"};
  std::vector<sandbox::BindMount> extra_mounts;
  std::shared_ptr<const AgentBinary> claude_binary;  // resolved at start; null = as configured
  std::size_t ring_capacity = 4096;
  std::size_t ring_bytes = kDefaultRingBytes;
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
  std::chrono::milliseconds reap_interval{5000};
  Launcher::Options launcher;   // threads and queue of every sandbox launch
  WarmPool::Options warm_pool;  // launches at once, check interval (sizes are per tenant)
  AuditSink* audit = nullptr;   // null = not audited; else refuse sessions while unhealthy
  TranscriptSink* transcripts = nullptr;  // null = events are not persisted
  bool audit_prompt_text = false;         // daemon config audit.record_prompt_text
  // Shutdown() detaches ready agents whose backend can reattach (docker adopt)
  // instead of stopping them: the next daemon takes them back (docker.shutdown: detach).
  bool detach_on_shutdown = false;
};

class SessionManager {
 public:
  using Backends = std::map<sandbox::BackendKind, sandbox::Backend*>;

  SessionManager(boost::asio::io_context& io, ManagerOptions options, const TenantRegistry& tenants,
                 const PolicySource& policies, Backends backends, SessionStore* store);
  ~SessionManager();

  // Loads every stored session as `stopped`. Where the backend kept the agent of
  // a session that was idle (docker reconcile: adopt), takes it back instead
  // (Session::Reattach); then has each backend remove the leftovers nobody took.
  // Call once, before serving.
  hotplex::Status Recover();
  // Sessions whose agent Recover() took back.
  std::size_t ReattachedCount() const { return reattached_; }
  SvResult<CreateResult> Create(const Tenant& tenant, const CreateRequest& request);
  SvResult<SessionPtr> Get(const Tenant& tenant, std::string_view id) const;
  std::vector<SessionPtr> List(const Tenant& tenant) const;
  SvResult<void> Delete(const Tenant& tenant, std::string_view id);
  // Stops agents idle for longer than their policy's idle timeout; runs every
  // reap_interval until Shutdown(). Also starts filling the warm pool.
  void StartReaper();
  void ReapIdle();
  // Stops accepting sessions and stops every agent (records stay, as `stopped`),
  // then waits up to `grace` for their sandboxes to be reaped.
  void Shutdown(std::chrono::milliseconds grace);
  std::size_t Count() const;
  const WarmPool& Pool() const { return *pool_; }
  // Where every launch runs (Create, restarts on a message, Reattach, the pool).
  Launcher& Launches() { return *launcher_; }

  // Admin access (every tenant's sessions; api/ admin routes only).
  std::vector<SessionPtr> ListAll() const;
  SvResult<SessionPtr> GetAny(std::string_view id) const;
  // Ends the agent for good and forgets the session, like a tenant's Delete;
  // its reason is StopReason::kKilledByAdmin (audit type session.killed).
  SvResult<SessionPtr> Kill(std::string_view id);
  // While draining, Create() refuses new sessions (kDraining); running ones go on.
  void SetDraining(bool draining) { draining_ = draining; }
  bool Draining() const { return draining_; }

 private:
  SvResult<SessionDeps> DepsFor(const Tenant& tenant, const std::string& team) const;
  SvResult<void> Admit(const Tenant& tenant, const SessionPolicy& policy,
                       const CreateRequest& request) const;
  SvResult<std::string> PrepareWorkdir(const Tenant& tenant, const std::string& relative) const;
  SvResult<std::string> PrepareHome(const Tenant& tenant, const std::string& id) const;
  std::string HomesRoot() const;  // <state_dir>/homes, absolute
  void ScheduleReap();
  // Warm pool hooks (supervisor/session_manager_warm.cpp).
  void StartWarmPool();
  static WarmKey KeyFor(const Tenant& tenant, const CreateRequest& request);
  void FlushStore() const;
  // The session.created record (data.warm_pool: adopted from the pool).
  void AuditCreated(Session& session, const Tenant& tenant, const CreateRequest& request,
                    const std::string& policy, bool warm) const;
  SvResult<SessionPtr> LaunchWarm(const WarmKey& key) const;
  SessionPolicyPtr CurrentPolicy(const WarmKey& key) const;

  boost::asio::io_context& io_;
  const ManagerOptions options_;
  const TenantRegistry& tenants_;
  const PolicySource& policies_;
  const Backends backends_;
  SessionStore* const store_;
  boost::asio::steady_timer reap_timer_;
  mutable std::mutex mu_;
  std::map<std::string, SessionPtr, std::less<>> sessions_;
  bool shutting_down_ = false;
  std::size_t reattached_ = 0;
  std::atomic<bool> draining_{false};
  // Before the pool: its launches run here. ~SessionManager drains the pool,
  // then stops the launcher, while everything else still stands.
  std::unique_ptr<Launcher> launcher_;
  std::unique_ptr<WarmPool> pool_;
};

}  // namespace hotplex::supervisor
