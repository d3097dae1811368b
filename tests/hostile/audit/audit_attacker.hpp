// What the audit tests' attacker does to a stopped daemon's audit.db with
// nothing but file access and the documented (public) chain recipe: raw SQL,
// copies of the files, a WAL cut short, a plain SHA-256 re-hash. Plus the
// measuring side: `hotplexd audit verify --database` run offline, sizes, and
// records generated through the real daemon.
// Thread-safety: none (one test thread).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing::audit_attack {

struct VerifyOutcome {
  int exit_code = -1;
  nlohmann::json body;  // the --json line (ok, first_bad_seq, problem, ...)
  std::string raw;
};

// `hotplexd audit verify --database DB --json` (key and witness: the defaults beside DB).
VerifyOutcome OfflineVerify(const std::string& db);
// GET /admin/v1/audit/verify on a running daemon.
nlohmann::json RouteVerify(const HostileDaemon& daemon);

// Audited actions through the real daemon: `admin_calls` admin queries (one
// admin.action record each), a few admin auth failures and, when `sessions`,
// an exec session created and deleted.
void Generate(const HostileDaemon& daemon, int admin_calls, bool sessions = false);

// Raw SQL with a read-write connection (closing it checkpoints the WAL, as any
// sqlite3 CLI would). Throws std::runtime_error on an SQL error.
void Sql(const std::string& db, const std::string& sql);
std::int64_t Int(const std::string& db, const std::string& sql);
std::string Text(const std::string& db, const std::string& sql);

// Sets data of row `seq` to `data` and recomputes hash/prev_hash of it and every
// later row with plain SHA-256 (the documented recipe), then the recorded head.
void RewriteAndRehash(const std::string& db, std::int64_t seq, const std::string& data);

// Copies audit.db and its -wal/-shm (those that exist) from dir `from` to dir `to`.
void CopyDatabase(const std::string& from, const std::string& to);
std::int64_t FileSize(const std::string& path);  // -1 when absent

}  // namespace hotplex::testing::audit_attack
