// AuditStore: the tamper-evident audit trail in SQLite (<state_dir>/audit.db).
//
// Implements AuditSink and AuditReader (supervisor/audit/audit.hpp). One writer
// thread owns the write connection and does group commit: it drains the queue
// (at most max_batch records), writes them in one transaction with
// `synchronous=FULL` (WAL: one fsync per transaction), and only then runs the
// `done` callbacks, so "done with success" means durable. Each row carries the
// SHA-256 of the previous row and of its own content (supervisor/audit/audit_chain.hpp).
//
// Fail closed: a failed transaction is rolled back, every record of the batch
// gets `done(error)` and Healthy() turns false. While unhealthy, new records
// are still attempted (a success heals the store) and the writer probes the
// disk every probe_interval with a tiny committed write; Healthy() turns true
// again when a write succeeds. Overflow: when queue_limit records wait, Append
// fails the new record at once (done(error), counted in Stats().rejected) —
// the queue never grows without bound and nothing is dropped silently.
//
// Retention (RunRetention, also run by the writer every retention_interval):
// records older than `retention` and, when the file exceeds max_bytes, the
// oldest ones, are first written to <archive_dir>/audit-<from>-<to>.ndjson
// (fsynced), then deleted; the last deleted record becomes the chain's anchor
// so that Verify() still checks the rest. Readers use a second, read-only
// connection, so queries never hold up commits.
// Thread-safety: all public methods are thread-safe; `done` runs on the writer
// thread and must not block for long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.hpp"
#include "supervisor/audit/audit.hpp"
#include "supervisor/audit/audit_key.hpp"
#include "supervisor/audit/audit_witness.hpp"

struct sqlite3;

namespace hotplex::supervisor {

struct AuditOptions {
  std::string path;                 // <state_dir>/audit.db
  std::size_t queue_limit = 65536;  // records waiting for the writer
  std::size_t max_batch = 4096;     // records per transaction
  std::chrono::milliseconds probe_interval{1000};
  std::chrono::milliseconds retention{0};  // 0 = keep forever
  std::uint64_t max_bytes = 0;             // 0 = no size limit
  std::string archive_dir;                 // where pruned records go (required with retention)
  std::chrono::milliseconds retention_interval{3600 * 1000};
  std::string key_file;  // "" = audit-key beside `path`
  WitnessMode witness = WitnessMode::kFile;
  std::string witness_file;                             // "" = audit-witness beside `path`
  std::uint64_t checkpoint_every = 1000;                // records between witness checkpoints
  std::chrono::milliseconds checkpoint_interval{2000};  // longest unwitnessed stretch
};

struct AuditStats {
  bool healthy = true;
  std::uint64_t committed = 0;       // records made durable
  std::uint64_t failed = 0;          // records whose transaction failed
  std::uint64_t rejected = 0;        // records refused because the queue was full
  std::uint64_t transactions = 0;    // successful group commits
  std::uint64_t last_commit_us = 0;  // duration of the last transaction (write + fsync)
  std::uint64_t pruned = 0;          // records moved to the archive by retention
  std::size_t queued = 0;
  std::uint64_t witness_checkpoints = 0;  // signed checkpoints written
  std::uint64_t witness_failures = 0;     // checkpoints that could not be written
  std::uint64_t wal_checkpoints = 0;      // WAL checkpoints that ran
  std::int64_t wal_frames = 0;            // WAL frames at the last checkpoint
  std::string last_error;                 // why the store is unhealthy ("" when healthy)
};

struct RetentionReport {
  std::int64_t deleted = 0;
  std::string archive_file;  // empty when nothing was pruned
};

class AuditStore final : public AuditSink, public AuditReader {
 public:
  static Result<std::unique_ptr<AuditStore>> Open(AuditOptions options);
  ~AuditStore() override;  // commits what is queued, then stops the writer
  AuditStore(const AuditStore&) = delete;
  AuditStore& operator=(const AuditStore&) = delete;

  void Append(AuditRecord record, AuditDone done) override;
  bool Healthy() const override;

  Result<AuditPage> Query(const AuditFilter& filter) const override;
  hotplex::Status Export(const AuditFilter& filter,
                         const std::function<bool(const AuditEntry&)>& each) const override;
  Result<AuditVerifyReport> Verify() const override;

  Result<RetentionReport> RunRetention(std::int64_t now_ms);
  AuditStats Stats() const;

 private:
  struct Pending {
    AuditRecord record;
    AuditDone done;
  };
  struct ChainHead {
    std::int64_t seq = 0;
    std::string hash;
  };

  explicit AuditStore(AuditOptions options);
  hotplex::Status OpenConnections();
  void WriterLoop();
  void HandleBatch(std::deque<Pending>& batch);
  hotplex::Status CommitBatch(std::deque<Pending>& batch);
  hotplex::Status Probe();
  void MarkHealth(const hotplex::Status& status);
  void CheckpointLoop();
  hotplex::Status OpenKeyAndWitness();
  hotplex::Status StartKeyedChain(std::int64_t from_seq);
  void CheckWitnessAtStart();
  hotplex::Status WitnessLocked(const char* kind);  // a signed checkpoint; write_mu_ held
  void MaybeWitnessLocked();                        // one when due; write_mu_ held
  void CheckpointWal(int mode);
  static int WalHook(void* unused, sqlite3* db, const char* name, int frames);

  const AuditOptions options_;
  sqlite3* write_db_ = nullptr;       // used under write_mu_ only
  sqlite3* read_db_ = nullptr;        // used under read_mu_ only
  sqlite3* checkpoint_db_ = nullptr;  // the checkpoint thread's own connection
  mutable std::mutex write_mu_;
  mutable std::mutex read_mu_;
  ChainHead head_;               // under write_mu_: the last committed row (or the anchor)
  ChainHead anchor_;             // under write_mu_: the last pruned record
  AuditKey key_;                 // immutable after Open
  std::int64_t keyed_from_ = 1;  // immutable after Open: first row chained with key_
  std::unique_ptr<AuditWitness> witness_;  // under write_mu_
  std::uint64_t unwitnessed_ = 0;          // under write_mu_: records since the last checkpoint
  std::chrono::steady_clock::time_point last_witness_;  // under write_mu_
  int quiet_wal_frames_ = -1;  // the checkpointer's: WAL frames at its last run

  mutable std::mutex mu_;                    // the queue and the stats
  std::condition_variable wake_;             // the writer's: a queued record, or stop
  std::condition_variable checkpoint_wake_;  // the checkpointer's own (a shared one
                                             // could swallow a notify_one meant for the writer)
  std::deque<Pending> queue_;
  AuditStats stats_;
  bool stopping_ = false;
  std::thread writer_;
  // WAL checkpoints run here, never inside a commit: the writer's auto-checkpoint
  // (copy the WAL into the database and fsync it) put multi-millisecond stalls
  // into the decision latency.
  std::thread checkpointer_;
};

// Opens `path` read-only and verifies its chain (for `hotplexd audit verify
// --database`, which needs no running daemon) with the key file `key_file` and
// the witness `witness_file` ("" = audit-key / audit-witness beside `path`;
// witness "none" = skip it, with a warning).
// The report as the admin route and `hotplexd audit verify --json` print it.
nlohmann::json AuditVerifyReportToJson(const AuditVerifyReport& report);

Result<AuditVerifyReport> VerifyAuditDatabase(const std::string& path,
                                              const std::string& key_file = "",
                                              const std::string& witness_file = "");

}  // namespace hotplex::supervisor
