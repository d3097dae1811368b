#include "supervisor/audit/audit_store.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "common/clock.hpp"
#include "common/log_line.hpp"
#include "supervisor/audit/audit_sql.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {
namespace {

Result<sqlite3*> OpenDb(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    Error e = SqliteError(db, "audit store: open " + path);
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

void LogHealth(bool healthy, const std::string& why) {
  nlohmann::json fields = nlohmann::json::object();
  if (!why.empty()) fields["error"] = why;
  LogLine(healthy ? LogLevel::kInfo : LogLevel::kError, "audit",
          healthy ? "audit store writable again" : "audit store cannot write: failing closed",
          fields);
}

}  // namespace

AuditStore::AuditStore(AuditOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<AuditStore>> AuditStore::Open(AuditOptions options) {
  if ((options.retention.count() > 0 || options.max_bytes > 0) && options.archive_dir.empty()) {
    return MakeError("audit store: retention needs an archive_dir (records are exported first)");
  }
  const auto dir = std::filesystem::path(options.path).parent_path();
  if (options.key_file.empty()) options.key_file = (dir / "audit-key").string();
  if (options.witness_file.empty()) options.witness_file = (dir / "audit-witness").string();
  std::unique_ptr<AuditStore> store(new AuditStore(std::move(options)));
  HOTPLEX_TRY_STATUS(store->OpenConnections());
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  store->checkpointer_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
  return store;
}

hotplex::Status AuditStore::OpenConnections() {
  HOTPLEX_TRY(write_db_, OpenDb(options_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  // WAL + synchronous=FULL: every COMMIT fsyncs the WAL, so a committed record
  // survives a power loss; group commit amortizes that fsync over the batch.
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "PRAGMA journal_mode=WAL", "audit store"));
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "PRAGMA synchronous=FULL", "audit store"));
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "PRAGMA wal_autocheckpoint=0", "audit store"));
  // A WAL that grew under a burst is cut back to this size once it restarts.
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "PRAGMA journal_size_limit=4194304", "audit store"));
  // After wal_autocheckpoint (which replaces the hook): the hard bound on the WAL.
  sqlite3_wal_hook(write_db_, &AuditStore::WalHook, nullptr);
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, audit_sql::kSchema, "audit store: schema"));
  HOTPLEX_TRY(audit_sql::Anchor head, audit_sql::ReadHead(write_db_));
  head_ = {head.seq, head.hash};
  HOTPLEX_TRY(audit_sql::Anchor anchor, audit_sql::ReadAnchor(write_db_));
  anchor_ = {anchor.seq, anchor.hash};
  HOTPLEX_TRY_STATUS(OpenKeyAndWitness());
  HOTPLEX_TRY(read_db_, OpenDb(options_.path, SQLITE_OPEN_READONLY));
  HOTPLEX_TRY(checkpoint_db_, OpenDb(options_.path, SQLITE_OPEN_READWRITE));
  // A connection that has never read the database has not opened its WAL, and
  // sqlite3_wal_checkpoint_v2 on it is a silent no-op (SQLITE_OK, log -1): this
  // is why the checkpointer never copied anything into audit.db. One read opens it.
  return SqliteExec(checkpoint_db_, "SELECT count(*) FROM sqlite_master", "audit checkpointer");
}

AuditStore::~AuditStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  checkpoint_wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (write_db_ != nullptr) {
    std::lock_guard lock(write_mu_);
    (void)WitnessLocked("stop");  // logged and counted there
  }
  // Everything into audit.db and the WAL cut to zero: after a clean stop no
  // record lives only in the WAL.
  if (checkpoint_db_ != nullptr) CheckpointWal(SQLITE_CHECKPOINT_TRUNCATE);
  sqlite3_close_v2(checkpoint_db_);
  sqlite3_close_v2(read_db_);
  sqlite3_close_v2(write_db_);
}

void AuditStore::Append(AuditRecord record, AuditDone done) {
  std::unique_lock lock(mu_);
  if (stopping_ || queue_.size() >= options_.queue_limit) {
    ++stats_.rejected;
    const bool full = !stopping_;
    lock.unlock();
    // Run on the caller's thread: there is no writer turn to wait for. Callers
    // must not hold a lock that `done` takes (see AUDIT.md).
    if (done) {
      done(MakeError(full ? "audit store unavailable: the audit queue is full"
                          : "audit store unavailable: the daemon is stopping"));
    }
    return;
  }
  queue_.push_back({std::move(record), std::move(done)});
  lock.unlock();
  wake_.notify_one();
}

bool AuditStore::Healthy() const {
  std::lock_guard lock(mu_);
  return stats_.healthy;
}

AuditStats AuditStore::Stats() const {
  std::lock_guard lock(mu_);
  AuditStats s = stats_;
  s.queued = queue_.size();
  return s;
}

void AuditStore::WriterLoop() {
  auto next_retention = std::chrono::steady_clock::now() + options_.retention_interval;
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait_for(lock, options_.probe_interval, [&] { return stopping_ || !queue_.empty(); });
    if (!queue_.empty()) {
      std::deque<Pending> batch;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      lock.unlock();
      HandleBatch(batch);
      lock.lock();
      continue;
    }
    if (stopping_) return;
    const bool healthy = stats_.healthy;
    lock.unlock();
    if (!healthy) MarkHealth(Probe());
    {
      std::lock_guard write_lock(write_mu_);
      MaybeWitnessLocked();
    }
    const bool prune = options_.retention.count() > 0 || options_.max_bytes > 0;
    if (prune && std::chrono::steady_clock::now() >= next_retention) {
      next_retention = std::chrono::steady_clock::now() + options_.retention_interval;
      if (auto r = RunRetention(NowUnixMs()); !r) {
        LogLine(LogLevel::kError, "audit", "audit retention failed; nothing was deleted",
                {{"error", r.error().Describe()}});
      }
    }
    lock.lock();
  }
}

// A PASSIVE checkpoint every 250 ms on its own connection: it copies committed
// WAL frames into the database (and fsyncs it) while the writer goes on
// appending to the WAL, which is reused from its start once fully copied.
void AuditStore::CheckpointLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    checkpoint_wake_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    CheckpointWal(SQLITE_CHECKPOINT_PASSIVE);
    lock.lock();
  }
}

void AuditStore::HandleBatch(std::deque<Pending>& batch) {
  const auto start = std::chrono::steady_clock::now();
  hotplex::Status status = CommitBatch(batch);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  {
    std::lock_guard lock(mu_);
    if (status) {
      Metrics::Global().AuditCommit(std::chrono::microseconds(us));
      stats_.committed += batch.size();
      ++stats_.transactions;
      stats_.last_commit_us = static_cast<std::uint64_t>(us);
    } else {
      stats_.failed += batch.size();
    }
  }
  MarkHealth(status);
  hotplex::Status reported = status;
  if (!status) {
    reported = MakeError("audit store unavailable: " + status.error().Describe());
  }
  for (auto& p : batch) {
    if (p.done) p.done(reported);
  }
}

hotplex::Status AuditStore::CommitBatch(std::deque<Pending>& batch) {
  std::lock_guard lock(write_mu_);
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "BEGIN IMMEDIATE", "audit store: begin"));
  auto fail = [&](Error e) -> hotplex::Status {
    (void)SqliteExec(write_db_, "ROLLBACK", "audit store: rollback");
    return e;
  };
  SqliteStatement insert(write_db_, "INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?)");
  if (!insert.Ok()) return fail(SqliteError(write_db_, "audit store: prepare insert"));
  ChainHead head = head_;
  const std::int64_t now = NowUnixMs();
  for (const auto& p : batch) {
    AuditRow row{head.seq + 1,
                 now,
                 p.record.type,
                 p.record.tenant,
                 p.record.session,
                 p.record.actor,
                 CanonicalJson(p.record.data),
                 head.hash,
                 ""};
    row.hash = AuditRowMac(row, key_);
    const std::string* texts[] = {&row.type, &row.tenant,    &row.session, &row.actor,
                                  &row.data, &row.prev_hash, &row.hash};
    insert.Int(1, row.seq);
    insert.Int(2, row.ts_ms);
    for (int i = 0; i < 7; ++i) insert.Text(i + 3, *texts[i]);
    if (sqlite3_step(insert.Get()) != SQLITE_DONE) {
      return fail(SqliteError(write_db_, "audit store: insert"));
    }
    insert.Reset();
    head = {row.seq, row.hash};
  }
  if (auto s = audit_sql::SetMeta(write_db_, "head_seq", std::to_string(head.seq)); !s) {
    return fail(s.error());
  }
  if (auto s = audit_sql::SetMeta(write_db_, "head_hash", head.hash); !s) return fail(s.error());
  if (auto s = SqliteExec(write_db_, "COMMIT", "audit store: commit"); !s) return fail(s.error());
  head_ = head;
  unwitnessed_ += batch.size();
  MaybeWitnessLocked();
  return {};
}

hotplex::Status AuditStore::Probe() {
  std::lock_guard lock(write_mu_);
  const std::string sql = "INSERT OR REPLACE INTO audit_probe (id, ts_ms) VALUES (1, " +
                          std::to_string(NowUnixMs()) + ")";
  return SqliteExec(write_db_, sql.c_str(), "audit store: probe");
}

void AuditStore::MarkHealth(const hotplex::Status& status) {
  bool changed;
  {
    std::lock_guard lock(mu_);
    changed = stats_.healthy != status.has_value();
    stats_.healthy = status.has_value();
    stats_.last_error = status ? "" : status.error().Describe();
  }
  if (changed) {
    LogHealth(status.has_value(), status ? "" : status.error().Describe());
    Metrics::Global().AuditHealthy(status.has_value());
  }
}

Result<AuditPage> AuditStore::Query(const AuditFilter& filter) const {
  std::lock_guard lock(read_mu_);
  return audit_sql::Query(read_db_, filter);
}

hotplex::Status AuditStore::Export(const AuditFilter& filter,
                                   const std::function<bool(const AuditEntry&)>& each) const {
  std::lock_guard lock(read_mu_);
  return audit_sql::Export(read_db_, filter, each);
}

// The witness is read and the database snapshot taken under write_mu_, so no
// commit or checkpoint falls between them; the walk itself runs without it.
Result<AuditVerifyReport> AuditStore::Verify() const {
  audit_sql::VerifyInputs in;
  in.key = &key_;
  std::optional<WitnessSummary> witness;
  std::unique_lock write_lock(write_mu_);
  in.live_head = audit_sql::Anchor{head_.seq, head_.hash};
  if (options_.witness == WitnessMode::kFile) {
    in.witness_name = options_.witness_file;
    auto w = ReadWitness(options_.witness_file, key_);
    if (!w) return w.error();
    witness = std::move(*w);
    in.witness = &*witness;
  } else {
    in.witness_optional = true;
    in.witness_note = options_.witness == WitnessMode::kSyslog
                          ? "the witness is syslog: checked here only against the running "
                            "daemon's head; verify offline against a journal export "
                            "(hotplexd audit verify --database ... --witness FILE)"
                          : "no witness (audit.witness: none): truncation and rollback are "
                            "detected only against the running daemon's head";
  }
  std::lock_guard read_lock(read_mu_);
  return audit_sql::Verify(read_db_, in, &write_lock);
}

}  // namespace hotplex::supervisor
