// Daemon: a running `hotplexd serve` — io threads, session store, session
// manager and the API server — assembled from a DaemonConfig, a PolicySource
// and the sandbox backends (the caller picks them; tests inject their own).
//
// Start order: state dir, SQLite store, tenants, session manager + restart
// recovery, listeners, io threads (threads = cores; they are the long-lived
// threads every sandbox is launched from), idle reaper, ready.
// Shutdown order: refuse new work, stop accepting, stop every agent and wait
// for its sandbox to be reaped (records persist as `stopped`), tell streaming
// clients, stop the io threads.
// Thread-safety: Start/Shutdown/WaitForSignal from one controlling thread.
#pragma once

#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/api_context.hpp"
#include "api/api_server.hpp"
#include "common/result.hpp"
#include "supervisor/admin_token.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/auth_failure_log.hpp"
#include "supervisor/daemon_config.hpp"
#include "supervisor/session_manager.hpp"
#include "supervisor/session_store.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::api {

class Daemon {
 public:
  // `policy_store` (may be null) backs the admin policy routes.
  static Result<std::unique_ptr<Daemon>> Start(supervisor::DaemonConfig config,
                                               const supervisor::PolicySource& policies,
                                               supervisor::SessionManager::Backends backends,
                                               policies::PolicyStore* policy_store = nullptr);
  ~Daemon();

  std::uint16_t ApiPort() const { return server_->ApiPort(); }
  std::uint16_t AdminPort() const { return server_->AdminPort(); }
  // The admin API's token (<state_dir>/admin-token; Generated() on first start).
  const supervisor::AdminToken& AdminCredentials() const { return admin_token_; }
  // Blocks until SIGTERM or SIGINT, then shuts down.
  void WaitForSignal();
  // Idempotent.
  void Shutdown();

  explicit Daemon(supervisor::DaemonConfig config);

 private:
  hotplex::Status Init(const supervisor::PolicySource& policies,
                       supervisor::SessionManager::Backends backends,
                       policies::PolicyStore* policy_store);
  hotplex::Status InitAdmin(policies::PolicyStore* policy_store);
  hotplex::Status OpenAudit(supervisor::ManagerOptions& options);

  const supervisor::DaemonConfig config_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  supervisor::AdminToken admin_token_;
  std::unique_ptr<supervisor::TenantRegistry> tenants_;
  std::unique_ptr<supervisor::SessionStore> store_;
  // Before sessions_: they outlive every session that appends to them.
  std::unique_ptr<supervisor::AuditStore> audit_;
  std::unique_ptr<supervisor::AuthFailureLog> auth_failures_;  // appends to audit_
  std::unique_ptr<supervisor::TranscriptStore> transcripts_;
  std::unique_ptr<supervisor::SessionManager> sessions_;
  std::unique_ptr<ApiContext> ctx_;
  std::unique_ptr<ApiServer> server_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
  // The policy watcher's reloads are audited through this; ~Daemon detaches it
  // (the policy store, and its watcher thread, outlive the daemon).
  struct WatcherAudit {
    std::mutex mu;
    supervisor::AuditSink* sink = nullptr;
  };
  std::shared_ptr<WatcherAudit> watcher_audit_;
  policies::PolicyStore* policy_store_ = nullptr;
};

}  // namespace hotplex::api
