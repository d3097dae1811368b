// AuditStore's tamper evidence: loading the audit key, starting the keyed
// chain (also on a legacy database) and the signed witness checkpoints. The
// WAL checkpoints are in audit_store_wal.cpp.
#include <sqlite3.h>

#include "common/clock.hpp"
#include "common/log_line.hpp"
#include "supervisor/audit/audit_sql.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {
namespace {

void Log(LogLevel level, const std::string& msg, const std::string& error = "") {
  nlohmann::json fields = nlohmann::json::object();
  if (!error.empty()) fields["error"] = error;
  LogLine(level, "audit", msg, fields);
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
    Log(LogLevel::kError,
        "audit witness " + options_.witness_file +
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
    Log(LogLevel::kWarn, "audit.db predates the audit key: records 1.." +
                             std::to_string(from_seq - 1) +
                             " stay plain SHA-256, the keyed chain starts at seq " +
                             std::to_string(from_seq) + " (supervisor/audit/AUDIT.md, Migration)");
  }
  return {};
}

// Loud, not fatal: the daemon must come up so that the admin route can report
// the damage; the witness keeps the evidence (the new start line goes back).
void AuditStore::CheckWitnessAtStart() {
  auto w = ReadWitness(options_.witness_file, key_);
  if (!w) return Log(LogLevel::kError, "audit witness unreadable", w.error().Describe());
  if (w->finding) Log(LogLevel::kError, "audit witness: " + w->finding->text);
  if (w->last && (w->last->seq > head_.seq || w->last->anchor_seq != anchor_.seq)) {
    Log(LogLevel::kError,
        "audit.db does not match its witness (head seq " + std::to_string(head_.seq) +
            ", witness seq " + std::to_string(w->last->seq) + "; anchor " +
            std::to_string(anchor_.seq) + " vs " + std::to_string(w->last->anchor_seq) +
            "): records were removed or an older copy was put back; run `hotplexd "
            "audit verify`");
  }
}

hotplex::Status AuditStore::WitnessLocked(const char* kind) {
  if (!witness_) return {};
  const AuditCheckpoint c{kind,         head_.seq,   head_.hash, anchor_.seq,
                          anchor_.hash, keyed_from_, NowUnixMs()};
  hotplex::Status written = witness_->Write(c, key_);
  {
    std::lock_guard lock(mu_);
    ++(written ? stats_.witness_checkpoints : stats_.witness_failures);
  }
  if (!written) {
    Metrics::Global().AuditWitnessFailure();
    Log(LogLevel::kError, "audit witness checkpoint not written", written.error().Describe());
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

}  // namespace hotplex::supervisor
