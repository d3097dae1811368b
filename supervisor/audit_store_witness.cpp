// AuditStore's tamper evidence and WAL upkeep: loading the audit key, starting
// the keyed chain (also on a legacy database), the signed witness checkpoints
// and the WAL checkpoints.
#include <sqlite3.h>

#include <iostream>
#include <thread>

#include "supervisor/audit_sql.hpp"
#include "supervisor/audit_store.hpp"
#include "supervisor/metrics.hpp"

namespace hotplex::supervisor {
namespace {

// A PASSIVE checkpoint cannot restart a WAL the writer keeps appending to; past
// this many frames (8 MiB at 4 KiB pages) a RESTART waits for a gap in the writes.
constexpr int kRestartFrames = 2048;

// The writer's own hard bound, for when records arrive faster than the
// checkpointer copies them (16 MiB at 4 KiB pages): the writer waits for a
// RESTART checkpoint rather than letting the WAL grow with the load.
constexpr int kWriterCheckpointFrames = 4096;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Log(const char* level, const std::string& msg, const std::string& error = "") {
  nlohmann::json line = {{"level", level}, {"component", "audit"}, {"msg", msg}};
  if (!error.empty()) line["error"] = error;
  std::cerr << CanonicalJson(line) << "\n";
}

}  // namespace

hotplex::Status AuditStore::OpenKeyAndWitness() {
  HOTPLEX_TRY(std::string key_id, audit_sql::GetMeta(write_db_, "key_id"));
  // A database that already holds signed records never gets a fresh key: that
  // would leave every one of them unverifiable.
  HOTPLEX_TRY(key_, AuditKey::LoadForDaemon(options_.key_file, key_id.empty()));
  if (!key_id.empty() && key_id != key_.Id()) {
    return MakeError("audit key file " + options_.key_file + " (key id " + key_.Id() +
                     ") is not the key " + options_.path + " was written with (key id " + key_id +
                     "): restore the original key file");
  }
  HOTPLEX_TRY(std::optional<std::int64_t> keyed_from, audit_sql::ReadKeyedFrom(write_db_));
  if (!keyed_from || key_id.empty()) {
    keyed_from = keyed_from.value_or(head_.seq + 1);
    HOTPLEX_TRY_STATUS(StartKeyedChain(*keyed_from));
  }
  keyed_from_ = *keyed_from;
  HOTPLEX_TRY(witness_, AuditWitness::Open(options_.witness, options_.witness_file));
  if (options_.witness == WitnessMode::kFile && !witness_->Created()) CheckWitnessAtStart();
  if (witness_->Created() && keyed_from_ <= head_.seq) {
    Log("error", "audit witness " + options_.witness_file +
                     " was missing although audit.db "
                     "holds signed records: started a new one; `hotplexd audit verify` reports it");
  }
  std::lock_guard lock(write_mu_);
  auto written = WitnessLocked(witness_->Created() ? "new" : "start");
  if (!written) return MakeError("audit witness: " + written.error().Describe());
  return {};
}

hotplex::Status AuditStore::StartKeyedChain(std::int64_t from_seq) {
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "BEGIN IMMEDIATE", "audit store: keyed chain"));
  auto set = [&]() -> hotplex::Status {
    HOTPLEX_TRY_STATUS(audit_sql::SetMeta(write_db_, "keyed_from", std::to_string(from_seq)));
    HOTPLEX_TRY_STATUS(audit_sql::SetMeta(write_db_, "key_id", key_.Id()));
    return SqliteExec(write_db_, "COMMIT", "audit store: keyed chain");
  };
  if (auto s = set(); !s) {
    (void)SqliteExec(write_db_, "ROLLBACK", "audit store: keyed chain");
    return s;
  }
  if (from_seq > 1) {
    Log("warn", "audit.db predates the audit key: records 1.." + std::to_string(from_seq - 1) +
                    " stay plain SHA-256, the keyed chain starts at seq " +
                    std::to_string(from_seq) + " (supervisor/AUDIT.md, Migration)");
  }
  return {};
}

// Loud, not fatal: the daemon must come up so that the admin route can report
// the damage; the witness keeps the evidence (the new start line goes back).
void AuditStore::CheckWitnessAtStart() {
  auto w = ReadWitness(options_.witness_file, key_);
  if (!w) return Log("error", "audit witness unreadable", w.error().Describe());
  if (w->finding) Log("error", "audit witness: " + w->finding->text);
  if (w->last && (w->last->seq > head_.seq || w->last->anchor_seq != anchor_.seq)) {
    Log("error", "audit.db does not match its witness (head seq " + std::to_string(head_.seq) +
                     ", witness seq " + std::to_string(w->last->seq) + "; anchor " +
                     std::to_string(anchor_.seq) + " vs " + std::to_string(w->last->anchor_seq) +
                     "): records were removed or an older copy was put back; run `hotplexd "
                     "audit verify`");
  }
}

hotplex::Status AuditStore::WitnessLocked(const char* kind) {
  if (!witness_) return {};
  const AuditCheckpoint c{kind,         head_.seq,   head_.hash, anchor_.seq,
                          anchor_.hash, keyed_from_, NowMs()};
  hotplex::Status written = witness_->Write(c, key_);
  {
    std::lock_guard lock(mu_);
    ++(written ? stats_.witness_checkpoints : stats_.witness_failures);
  }
  if (!written) {
    Metrics::Global().AuditWitnessFailure();
    Log("error", "audit witness checkpoint not written", written.error().Describe());
    return written;
  }
  unwitnessed_ = 0;
  last_witness_ = std::chrono::steady_clock::now();
  return {};
}

void AuditStore::MaybeWitnessLocked() {
  if (unwitnessed_ == 0) return;
  if (unwitnessed_ >= options_.checkpoint_every ||
      std::chrono::steady_clock::now() - last_witness_ >= options_.checkpoint_interval) {
    (void)WitnessLocked("head");  // logged and counted there
  }
}

int AuditStore::WalHook(void*, sqlite3* db, const char* name, int frames) {
  if (frames <= kWriterCheckpointFrames) return SQLITE_OK;
  // A checkpoint already running elsewhere (the checkpointer's) answers BUSY at
  // once, without the busy handler: retry, bounded (2 s), before the next commit.
  for (int i = 0; i < 400; ++i) {
    if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr) !=
        SQLITE_BUSY) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return SQLITE_OK;
}

void AuditStore::CheckpointWal(int mode) {
  int log = -1;
  int done = -1;
  int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, mode, &log, &done);
  if (rc == SQLITE_OK && log > 0 && log == done && log == quiet_wal_frames_) {
    // Fully copied and no new frame for a whole period: cut the WAL to zero.
    // Copied frames left in it are old page versions; a WAL cut short later
    // would bring them back over audit.db's newer pages (a silent rollback).
    rc =
        sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
  } else if (rc == SQLITE_OK && mode == SQLITE_CHECKPOINT_PASSIVE && log > kRestartFrames) {
    rc = sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_RESTART, &log, &done);
  }
  quiet_wal_frames_ = log;
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    Log("error", "audit WAL checkpoint failed", sqlite3_errmsg(checkpoint_db_));
  }
  std::lock_guard lock(mu_);
  if (rc == SQLITE_OK) ++stats_.wal_checkpoints;
  stats_.wal_frames = log;
}

}  // namespace hotplex::supervisor
