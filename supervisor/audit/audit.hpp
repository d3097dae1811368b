// Audit: the contract between the supervisor, which records what agents and
// operators did, and the tamper-evident store that keeps it (audit_store.hpp,
// SQLite WAL, SHA-256 hash chain, group commit).
//
// AuditSink is what the supervisor writes to. Append() is asynchronous: the
// record is queued for the next group commit and `done` runs (on the store's
// writer thread) once it is durable, or with an error when the store cannot
// write. Callers that must not proceed unaudited — a tool decision, admitting a
// session — wait for `done` and fail closed on an error. Healthy() is false
// while the store cannot write; new sessions are refused then.
//
// AuditReader is what the admin API and `hotplexd audit` read: filtered,
// cursor-paginated queries, a streaming export and a verification of the chain.
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hotplex::supervisor {

// Record types (the `type` column). Data fields per type are documented in
// supervisor/audit/AUDIT.md.
namespace audit_type {
inline constexpr const char* kAuthFailure = "auth.failure";
inline constexpr const char* kSessionCreated = "session.created";
inline constexpr const char* kSessionResumed = "session.resumed";
// A restarted daemon took back the agent its predecessor left running (docker adopt).
inline constexpr const char* kSessionReadopted = "session.readopted";
inline constexpr const char* kSessionStopped = "session.stopped";
inline constexpr const char* kSessionExpired = "session.expired";  // idle timeout
inline constexpr const char* kSessionKilled = "session.killed";    // admin kill
inline constexpr const char* kSessionDeleted = "session.deleted";
inline constexpr const char* kPrompt = "prompt";
inline constexpr const char* kToolDecision = "tool.decision";
inline constexpr const char* kFirewallBlock = "firewall.block";
inline constexpr const char* kEgress = "egress";
inline constexpr const char* kSandboxOutcome = "sandbox.outcome";
inline constexpr const char* kPolicyReload = "policy.reload";
inline constexpr const char* kPolicyInvalid = "policy.invalid";
inline constexpr const char* kAdminAction = "admin.action";
// A workdir or home refused because it was invalid, too long, or named a
// symlink or escaped its root (data: what, path, reason); nothing was created.
inline constexpr const char* kWorkdirRefused = "workdir.refused";
}  // namespace audit_type

struct AuditRecord {
  std::string type;     // one of audit_type
  std::string tenant;   // empty when not tenant-scoped (admin actions, policy reloads)
  std::string session;  // empty when not session-scoped
  std::string actor;    // who: "policy", "client:<tenant>", "admin:<token id>@<addr>", "system"
  nlohmann::json data = nlohmann::json::object();
};

// A stored record: the AuditRecord plus its place in the chain.
struct AuditEntry {
  std::int64_t seq = 0;    // 1, 2, 3, ... without gaps (a gap is reported by Verify)
  std::int64_t ts_ms = 0;  // Unix epoch milliseconds, assigned by the store
  AuditRecord record;
  std::string prev_hash;  // hex SHA-256 of the previous entry ("" for the first one)
  std::string hash;       // hex SHA-256 over prev_hash and this entry's canonical content
};

using AuditDone = std::function<void(const hotplex::Status&)>;

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Queues `record`; `done` (may be empty) runs once it is committed or failed.
  virtual void Append(AuditRecord record, AuditDone done) = 0;
  // False while the store cannot write (disk full, I/O error): fail closed.
  virtual bool Healthy() const = 0;
};

struct AuditFilter {
  std::string tenant;   // empty = any
  std::string session;  // empty = any
  std::string type;     // empty = any; a trailing '*' matches a prefix ("session.*")
  std::optional<std::int64_t> since_ms;  // inclusive
  std::optional<std::int64_t> until_ms;  // exclusive
  std::int64_t after_seq = 0;            // the cursor: entries with seq > after_seq
  std::size_t limit = 100;
};

struct AuditPage {
  std::vector<AuditEntry> entries;         // ascending seq
  std::optional<std::int64_t> next_after;  // the cursor of the next page, when there is one
};

struct AuditVerifyReport {
  bool ok = true;
  std::int64_t checked = 0;                   // entries whose hash was recomputed
  std::optional<std::int64_t> first_bad_seq;  // first broken or missing entry
  std::string problem;                        // e.g. "hash mismatch", "missing seq 41"
  // What kind of damage (supervisor/audit/AUDIT.md): altered, rehashed, missing,
  // behind_witness, rollback, anchor, downgrade, witness, live_head, unkeyed; "" when ok.
  std::string kind;
  std::vector<std::string> more_problems;  // further problems found (bounded)
  std::vector<std::string> warnings;       // e.g. the legacy unkeyed prefix
  std::int64_t legacy_through = 0;         // records 1..legacy_through are unkeyed (0: none)
  std::string witness;                     // what was checked against: "<file> (N checkpoints)"
};

class AuditReader {
 public:
  virtual ~AuditReader() = default;
  virtual Result<AuditPage> Query(const AuditFilter& filter) const = 0;
  // Calls `each` for every matching entry in seq order (ignores filter.limit);
  // stops early when `each` returns false.
  virtual hotplex::Status Export(const AuditFilter& filter,
                                 const std::function<bool(const AuditEntry&)>& each) const = 0;
  virtual Result<AuditVerifyReport> Verify() const = 0;
};

// The canonical JSON of an entry, as the admin API and the export print it.
nlohmann::json AuditEntryToJson(const AuditEntry& entry);

}  // namespace hotplex::supervisor
