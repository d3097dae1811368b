#include "api/daemon.hpp"

#include <future>

#include "api/admin_routes.hpp"
#include "api/admin_tls.hpp"
#include "api/event_json.hpp"
#include "common/log_line.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/connection_caps.hpp"
#include "supervisor/local_tenant.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
namespace sv = supervisor;

namespace {

sv::TranscriptOptions TranscriptOptionsOf(const sv::DaemonConfig& config) {
  sv::TranscriptOptions options;
  options.dir = config.state_dir + "/transcripts";
  options.session_quota = config.transcripts.session_quota;
  options.tenant_quota = config.transcripts.tenant_quota;
  options.queue_bytes = config.transcripts.queue_bytes;
  return options;
}

}  // namespace

Daemon::Daemon(sv::DaemonConfig config)
    : config_(std::move(config)), work_(asio::make_work_guard(io_)) {}

Result<std::unique_ptr<Daemon>> Daemon::Start(sv::DaemonConfig config,
                                              const sv::PolicySource& policies,
                                              sv::SessionManager::Backends backends,
                                              policies::PolicyStore* policy_store) {
  auto daemon = std::make_unique<Daemon>(std::move(config));
  HOTPLEX_TRY_STATUS(daemon->Init(policies, std::move(backends), policy_store));
  return daemon;
}

hotplex::Status Daemon::Init(const sv::PolicySource& policies,
                             sv::SessionManager::Backends backends,
                             policies::PolicyStore* policy_store) {
  HOTPLEX_TRY_STATUS(CheckAdminListenSecurity(config_.admin, config_.admin_tls));
  HOTPLEX_TRY_STATUS(sv::PrepareStateDir(config_.state_dir));
  HOTPLEX_TRY(admin_token_, sv::AdminToken::Ensure(config_.state_dir));
  HOTPLEX_TRY(store_, sv::SessionStore::Open(config_.state_dir + "/sessions.db"));
  tenants_ = std::make_unique<sv::TenantRegistry>(config_.tenants);
  sv::ManagerOptions options;
  options.state_dir = config_.state_dir;
  options.claude_command = config_.claude_command;
  options.extra_mounts = config_.extra_mounts;
  options.claude_binary = std::make_shared<const sv::AgentBinary>(sv::ResolveClaudeBinary(config_));
  LogLine(LogLevel::kInfo, "serve",
          "claude-code: " + sv::DescribeAgentBinary(*options.claude_binary));
  options.ring_capacity = config_.events.ring_size;
  options.ring_bytes = config_.events.ring_bytes;
  options.max_line_bytes = config_.events.max_line_bytes;
  options.detach_on_shutdown = config_.docker.detach_on_shutdown;
  HOTPLEX_TRY_STATUS(OpenAudit(options));
  sessions_ = std::make_unique<sv::SessionManager>(io_, options, *tenants_, policies,
                                                   std::move(backends), store_.get());
  HOTPLEX_TRY_STATUS(sessions_->Recover());
  ctx_.reset(new ApiContext{*sessions_, *tenants_, config_.http, config_.events});
  ctx_->audit = audit_.get();
  ctx_->audit_reader = audit_.get();
  ctx_->transcripts = transcripts_.get();
  auth_failures_ = std::make_unique<sv::AuthFailureLog>(
      audit_.get(), sv::AuthFailureLogOptions{config_.audit.auth_failure_window,
                                              config_.audit.auth_failure_sources});
  ctx_->auth_failures = auth_failures_.get();
  server_ = std::make_unique<ApiServer>(io_, *ctx_);
  server_->SetConnectionCaps(sv::ResolveConnectionCaps(config_.http));
  HOTPLEX_TRY_STATUS(InitAdmin(policy_store));
  HOTPLEX_TRY_STATUS(server_->Bind(config_.api, config_.admin));
  unsigned threads = config_.threads != 0 ? config_.threads : std::thread::hardware_concurrency();
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
  server_->Start();
  sessions_->StartReaper();
  ctx_->ready = true;
  return {};
}

hotplex::Status Daemon::InitAdmin(policies::PolicyStore* policy_store) {
  HOTPLEX_TRY(auto tls, MakeAdminTlsContext(config_.admin_tls));
  server_->SetAdminTls(std::move(tls));
  ctx_->admin_token = &admin_token_;
  ctx_->policy_store = policy_store;
  ctx_->policy_dir = config_.policy_dir;
  if (policy_store != nullptr && audit_ != nullptr) {
    policy_store_ = policy_store;
    watcher_audit_ = std::make_shared<WatcherAudit>();
    watcher_audit_->sink = audit_.get();
    policy_store->SetReloadListener([audit = watcher_audit_](const policies::ReloadReport& r) {
      std::lock_guard lock(audit->mu);
      if (audit->sink != nullptr)
        audit->sink->Append(PolicyReloadRecord(r, "policy-watcher"), nullptr);
    });
  }
  return {};
}

// The audit store must open: a daemon that cannot audit does not start.
hotplex::Status Daemon::OpenAudit(sv::ManagerOptions& options) {
  sv::AuditOptions audit;
  audit.path = config_.state_dir + "/audit.db";
  audit.queue_limit = config_.audit.queue_limit;
  audit.retention = config_.audit.retention;
  audit.max_bytes = config_.audit.max_bytes;
  audit.archive_dir = config_.audit.archive_dir.empty() ? config_.state_dir + "/audit-archive"
                                                        : config_.audit.archive_dir;
  audit.key_file = config_.audit.key_file;          // "" = beside audit.db
  audit.witness_file = config_.audit.witness_file;  // "" = beside audit.db
  HOTPLEX_TRY(audit.witness, sv::ParseWitnessMode(config_.audit.witness));
  audit.checkpoint_every = config_.audit.checkpoint_every;
  audit.checkpoint_interval = config_.audit.checkpoint_interval;
  auto store = sv::AuditStore::Open(std::move(audit));
  if (!store) return MakeError("cannot open the audit store: " + store.error().Describe());
  audit_ = std::move(*store);
  // The transcripts hold events in the wire format; only api/ knows it.
  HOTPLEX_TRY(transcripts_,
              sv::TranscriptStore::Open(TranscriptOptionsOf(config_), &EventToJsonText));
  options.audit = audit_.get();
  options.transcripts = transcripts_.get();
  options.audit_prompt_text = config_.audit.record_prompt_text;
  return {};
}

void Daemon::WaitForSignal() {
  std::promise<int> signalled;
  asio::signal_set signals(io_, SIGTERM, SIGINT);
  signals.async_wait(
      [&](boost::system::error_code ec, int sig) { signalled.set_value(ec ? 0 : sig); });
  signalled.get_future().wait();
  Shutdown();
}

void Daemon::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (ctx_) {
    ctx_->ready = false;
    ctx_->stopping = true;
  }
  if (server_) server_->StopAccepting();
  if (sessions_) sessions_->Shutdown(config_.shutdown_grace);
  // Streaming clients were told (a final `shutting_down` event); let the
  // writers flush it before the io threads stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  work_.reset();
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // The io threads are gone: no failure can be recorded after this flush.
  if (auth_failures_) auth_failures_->FlushAll();
}

Daemon::~Daemon() {
  if (policy_store_ != nullptr) policy_store_->SetReloadListener(nullptr);
  if (watcher_audit_) {  // a reload in progress on the watcher thread finishes first
    std::lock_guard lock(watcher_audit_->mu);
    watcher_audit_->sink = nullptr;
  }
  Shutdown();
  // Sessions (and any AgentProcess still referenced by a handler) go before the
  // io_context; the io_context member is destroyed last, with its handlers.
  server_.reset();
  ctx_.reset();
  sessions_.reset();
}

}  // namespace hotplex::api
