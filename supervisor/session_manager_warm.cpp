// SessionManager's side of the warm pool: which sessions are kept warm, how a
// pooled one is built and which policy is current for it (see WarmPool).
#include "supervisor/session_id.hpp"
#include "supervisor/session_manager.hpp"

namespace hotplex::supervisor {

void SessionManager::StartWarmPool() {
  for (const Tenant& tenant : tenants_.All()) {
    if (tenant.warm_pool == 0) continue;
    pool_->SetTarget(KeyFor(tenant, CreateRequest{}), tenant.warm_pool);
  }
  pool_->Start();
}

WarmKey SessionManager::KeyFor(const Tenant& tenant, const CreateRequest& request) {
  return WarmKey{tenant.id, request.provider, request.argv};
}

SessionPolicyPtr SessionManager::CurrentPolicy(const WarmKey& key) const {
  const Tenant* tenant = tenants_.Find(key.tenant_id);
  return tenant != nullptr ? policies_.Get(tenant->team) : nullptr;
}

// A session like Create() makes for `key`, under a provisional id that is also
// its conversation id and names its home; persisted, audited and transcribed
// only once adopted (its deps carry no store, audit or transcripts until then).
SvResult<SessionPtr> SessionManager::LaunchWarm(const WarmKey& key) const {
  const Tenant* tenant = tenants_.Find(key.tenant_id);
  if (tenant == nullptr) return SvError(ErrorKind::kNotFound, "tenant " + key.tenant_id + " gone");
  auto full = DepsFor(*tenant, tenant->team);
  if (!full) return full.error();
  SessionDeps deps;
  deps.io = full->io;
  deps.backend = full->backend;
  deps.policy = full->policy;
  deps.identity = full->identity;
  deps.claude_command = full->claude_command;
  deps.extra_mounts = full->extra_mounts;
  deps.claude_binary = full->claude_binary;
  deps.ring_capacity = full->ring_capacity;
  deps.ring_bytes = full->ring_bytes;
  deps.max_line_bytes = full->max_line_bytes;
  deps.workspace_root = full->workspace_root;
  deps.homes_root = full->homes_root;
  SessionRecord record;
  record.id = RandomSessionId();
  record.conversation_id = record.id;
  auto workdir = PrepareWorkdir(*tenant, "");
  if (!workdir) return workdir.error();
  auto home = PrepareHome(*tenant, record.id);
  if (!home) return home.error();
  record.tenant_id = tenant->id;
  record.provider = key.provider;
  record.policy = deps.policy->name;
  record.workdir = std::move(*workdir);
  record.home = std::move(*home);
  record.argv = key.argv;
  record.created_ms = record.last_active_ms = NowUnixMs();
  auto session = std::make_shared<Session>(std::move(record), std::move(deps));
  auto started = session->Start();
  if (!started) {
    session->Delete(StopReason::kWarmPoolLaunchFailed);
    return started.error();
  }
  return session;
}

}  // namespace hotplex::supervisor
