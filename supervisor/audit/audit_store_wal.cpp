// AuditStore's WAL upkeep: the writer's hard bound (WalHook) and the
// checkpointer's PASSIVE/RESTART/TRUNCATE checkpoints (supervisor/audit/AUDIT.md).
#include <sqlite3.h>

#include <thread>

#include "common/log_line.hpp"
#include "supervisor/audit/audit_sql.hpp"
#include "supervisor/audit/audit_store.hpp"

namespace hotplex::supervisor {
namespace {

// A PASSIVE checkpoint cannot restart a WAL the writer keeps appending to; past
// this many frames (8 MiB at 4 KiB pages) a RESTART waits for a gap in the writes.
constexpr int kRestartFrames = 2048;

// The writer's own hard bound, for when records arrive faster than the
// checkpointer copies them (16 MiB at 4 KiB pages): the writer waits for a
// RESTART checkpoint rather than letting the WAL grow with the load.
constexpr int kWriterCheckpointFrames = 4096;

void LogCheckpointFailure(sqlite3* db) {
  LogLine(LogLevel::kError, "audit", "audit WAL checkpoint failed",
          {{"error", sqlite3_errmsg(db)}});
}

}  // namespace

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
    LogCheckpointFailure(checkpoint_db_);
  }
  std::lock_guard lock(mu_);
  if (rc == SQLITE_OK) ++stats_.wal_checkpoints;
  stats_.wal_frames = log;
}

}  // namespace hotplex::supervisor
