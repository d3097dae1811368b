// DaemonConfig: the settings of `hotplexd serve`, from an optional YAML file.
// api/CONFIG.md is the schema: every key, its meaning, its default and its
// bounds (the embedded defaults below are what runs with no --config).
// Unknown keys and bad values are errors naming file:line:column.
// Thread-safety: value type.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sandbox/docker/docker_reconcile.hpp"
#include "sandbox/sandbox_spec.hpp"
#include "supervisor/tenant_registry.hpp"

namespace hotplex::supervisor {

struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

struct HttpSettings {
  std::uint64_t body_limit = 2u << 20;
  std::chrono::milliseconds request_timeout{30000};
  std::uint64_t websocket_message_limit = 2u << 20;
  std::chrono::milliseconds sse_keepalive{15000};
  // Concurrent connections per listener and per client address (api/CONFIG.md);
  // over a cap a new connection is closed at accept. 0 = from RLIMIT_NOFILE.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_ip = 256;
  std::size_t admin_max_connections = 128;
  std::size_t admin_max_connections_per_ip = 64;
};

// Per-session memory bounds (api/CONFIG.md "Memory per session, worst case").
struct EventSettings {
  std::size_t ring_size = 4096;
  std::size_t ring_bytes = 8u << 20;
  std::size_t subscriber_queue = 1024;
  std::size_t subscriber_queue_bytes = 16u << 20;
  std::size_t max_line_bytes = 1u << 20;
};

// Transcript quotas and the writer's queue (supervisor/transcript_store.hpp).
struct TranscriptSettings {
  std::uint64_t session_quota = 64u << 20;
  std::uint64_t tenant_quota = 1024u << 20;
  std::size_t queue_bytes = 64u << 20;
};

// The admin listener's TLS: both files or neither. A non-loopback admin
// address needs TLS unless `insecure` says otherwise explicitly.
struct AdminTlsSettings {
  std::string cert;
  std::string key;
  bool insecure = false;
};

// The audit trail and transcripts (supervisor/audit/AUDIT.md).
struct AuditSettings {
  std::chrono::milliseconds retention{0};  // 0 = keep forever
  std::uint64_t max_bytes = 0;             // 0 = no size limit
  std::string archive_dir;                 // "" = <state_dir>/audit-archive
  bool record_prompt_text = false;
  std::size_t queue_limit = 65536;
  // auth.failure records are aggregated per source and window (supervisor/audit/AUDIT.md).
  std::chrono::milliseconds auth_failure_window{60000};
  std::size_t auth_failure_sources = 1024;
  // Tamper evidence (supervisor/audit/AUDIT.md): the HMAC key and the witness.
  std::string key_file;                   // "" = <state_dir>/audit-key
  std::string witness = "file";           // file | syslog | none
  std::string witness_file;               // "" = <state_dir>/audit-witness
  std::uint64_t checkpoint_every = 1000;  // records between witness checkpoints
  std::chrono::milliseconds checkpoint_interval{2000};
};

// The docker backend (sandbox/docker/DOCKER.md). `instance` is the io.hotplex.instance
// label of this daemon's sandbox containers; empty = HOTPLEX_DOCKER_INSTANCE, else
// derived from state_dir. At start the daemon reconciles the containers with its
// label: `reconcile: remove` (default) removes them all; `adopt` creates
// containers that outlive the daemon and, after a restart, takes back the agents
// of sessions that were idle (the rest are removed). `shutdown: detach` (adopt
// only) leaves idle agents running on a graceful stop too; `stop` (default) ends them.
struct DockerSettings {
  std::string instance;
  sandbox::DockerReconcile reconcile = sandbox::DockerReconcile::kRemove;
  bool detach_on_shutdown = false;
};

inline constexpr uid_t kDefaultTenantUid = 60000;

struct DaemonConfig {
  std::string source_file;  // empty when running on the embedded default
  ListenAddress api{"127.0.0.1", 8080};
  ListenAddress admin{"127.0.0.1", 9080};
  AdminTlsSettings admin_tls;
  std::string state_dir = "./var/hotplex";
  std::string policy_dir;
  unsigned threads = 0;
  std::chrono::milliseconds shutdown_grace{5000};
  HttpSettings http;
  EventSettings events;
  TranscriptSettings transcripts;
  AuditSettings audit;
  std::vector<std::string> claude_command = {"claude"};
  bool claude_mount_install_dir = true;  // bind the resolved CLI's install dir (agent_binary.hpp)
  std::vector<sandbox::BindMount> extra_mounts;
  DockerSettings docker;
  std::vector<Tenant> tenants;
};

// Parses the file; an error lists every problem, one "file:line:col: key: what" per line.
Result<DaemonConfig> LoadDaemonConfig(const std::string& path);
Result<DaemonConfig> ParseDaemonConfig(const std::string& yaml_text, const std::string& file_name);
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace hotplex::supervisor
