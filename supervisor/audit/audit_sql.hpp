// The SQL side of the audit store, shared by its parts (writer, queries,
// verification, retention): the schema, row reading and the meta table.
// Internal to supervisor/audit/audit_*.cpp. Thread-safety: callers hold the lock of
// the connection they pass.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "supervisor/audit/audit.hpp"
#include "supervisor/audit/audit_chain.hpp"
#include "supervisor/audit/audit_key.hpp"
#include "supervisor/audit/audit_witness.hpp"
#include "supervisor/audit/sqlite_statement.hpp"

namespace hotplex::supervisor::audit_sql {

// auto_vacuum must be chosen before the first table exists.
inline constexpr const char* kSchema = R"sql(
PRAGMA auto_vacuum=INCREMENTAL;
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  tenant TEXT NOT NULL,
  session TEXT NOT NULL,
  actor TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_tenant ON audit(tenant, seq);
CREATE INDEX IF NOT EXISTS audit_by_session ON audit(session, seq);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit(ts_ms);
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_probe (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL);
)sql";

inline constexpr const char* kRowColumns =
    "seq, ts_ms, type, tenant, session, actor, data, prev_hash, hash";

AuditRow ReadRow(const SqliteStatement& st);

// audit_meta values ("" when absent).
Result<std::string> GetMeta(sqlite3* db, const char* key);
hotplex::Status SetMeta(sqlite3* db, const char* key, const std::string& value);

// The chain's starting point: the last pruned record (seq 0, "" before any pruning).
struct Anchor {
  std::int64_t seq = 0;
  std::string hash;
};
Result<Anchor> ReadAnchor(sqlite3* db);
// The last committed record (the anchor when the table is empty).
Result<Anchor> ReadHead(sqlite3* db);

Result<AuditPage> Query(sqlite3* db, const AuditFilter& filter);
hotplex::Status Export(sqlite3* db, const AuditFilter& filter,
                       const std::function<bool(const AuditEntry&)>& each);
// Where the keyed chain starts (meta keyed_from; nullopt: the database was
// never opened by a daemon with an audit key) and the key's id (meta key_id).
Result<std::optional<std::int64_t>> ReadKeyedFrom(sqlite3* db);

// What Verify checks the rows against besides themselves.
struct VerifyInputs {
  const AuditKey* key = nullptr;            // needed when keyed records exist
  const WitnessSummary* witness = nullptr;  // null: none read (see witness_note)
  std::string witness_name;                 // the file (or "syslog") for messages
  std::string witness_note;  // why there is no witness; a problem unless `witness_optional`
  bool witness_optional = false;
  std::optional<Anchor> live_head;  // online: the head the store committed last
};
// Runs in one read transaction; `snapshot_lock` (when given) is released as
// soon as the snapshot is taken, so the writer waits only that long.
Result<AuditVerifyReport> Verify(sqlite3* db, const VerifyInputs& in,
                                 std::unique_lock<std::mutex>* snapshot_lock = nullptr);

}  // namespace hotplex::supervisor::audit_sql
