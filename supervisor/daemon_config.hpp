// DaemonConfig: the settings of `hotplexd serve`, from an optional YAML file.
//
// Every key, its meaning and its default (the embedded default is what runs
// with no --config) — the reference is api/CONFIG.md:
//
//   listen: 127.0.0.1:8080          # API (HTTP, SSE, WebSocket)
//   admin_listen: 127.0.0.1:9080    # admin API, /metrics, /healthz, /readyz (api/ADMIN.md)
//   admin_tls:                      # both set: the admin listener speaks HTTPS only
//     cert: ""                      # PEM certificate chain file
//     key: ""                       # PEM private key file
//   admin_insecure: false           # allow plain HTTP on a non-loopback admin_listen
//   state_dir: ./var/hotplex        # SQLite store, session homes, local API key
//   policy_dir: ""                  # team policies (<team>.yaml); "" = built-in default only
//   threads: 0                      # io threads; 0 = number of cores
//   shutdown_grace: 5s              # how long shutdown waits for sandboxes to be reaped
//   http:
//     body_limit: 2MiB              # request bodies (413 above)
//     request_timeout: 30s          # reading one request / writing one response
//     websocket_message_limit: 2MiB # larger frames close the socket with 1009
//     sse_keepalive: 15s            # comment lines on idle SSE streams
//     max_connections: 0            # API listener; 0 = min(4096, RLIMIT_NOFILE / 2)
//     max_connections_per_ip: 256   # API connections from one client address
//     admin_max_connections: 128    # admin listener
//     admin_max_connections_per_ip: 64
//   events:
//     ring_size: 4096               # per-session replay ring, in events
//     ring_bytes: 8MiB              # ... and in bytes (>= 2 * max_line_bytes)
//     subscriber_queue: 1024        # events queued per subscriber before it is cut off
//     subscriber_queue_bytes: 16MiB # ... or bytes (>= ring_bytes)
//     max_line_bytes: 1MiB          # longer agent output lines are cut and flagged
//   transcripts:                    # <state_dir>/transcripts (supervisor/audit/AUDIT.md)
//     session_quota: 64MiB          # one session's transcript stops here (error event)
//     tenant_quota: 1GiB            # all of a tenant's transcripts together
//     queue_bytes: 64MiB            # events waiting for the writer, all sessions
//   claude_code:
//     command: [claude]             # argv prefix of the Claude Code CLI; [0] is
//                                   # resolved on the daemon's PATH at start
//     mount_install_dir: true       # bind its install dir read-only into namespace sandboxes
//   sandbox:
//     extra_mounts: []              # read-only host paths added to every sandbox
//                                   # ("SRC" or "SRC:DST"), e.g. the claude binary
//   tenants: []                     # empty = one local tenant with a generated key
//     - id: acme                    # required, [a-z0-9_-]{1,64}
//       team: default               # the policy name (policy_dir/<team>.yaml)
//       api_key_sha256: [hex, ...]  # lowercase hex SHA-256 of each API key (>= 1)
//       workspace_root: /srv/acme   # default <state_dir>/workspaces/<id>
//       uid: 60000                  # host uid/gid of its sandboxes; never 0
//       gid: 60000
//       warm_pool: 0                # claude-code sessions kept pre-started on the
//                                   # default workdir (0 = off, max 1024)
//
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
  std::string key_file;                    // "" = <state_dir>/audit-key
  std::string witness = "file";            // file | syslog | none
  std::string witness_file;                // "" = <state_dir>/audit-witness
  std::uint64_t checkpoint_every = 1000;   // records between witness checkpoints
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
