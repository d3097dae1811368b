// Audit retention: export the oldest records to the archive (NDJSON, fsynced),
// then delete them, move the chain's anchor to the last deleted record and
// write a signed `anchor` checkpoint to the witness.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "common/unique_fd.hpp"
#include "supervisor/audit/audit_sql.hpp"
#include "supervisor/audit/audit_store.hpp"

namespace hotplex::supervisor {
namespace {

Result<std::int64_t> ScalarInt(sqlite3* db, const std::string& sql, std::int64_t bind = -1) {
  SqliteStatement st(db, sql.c_str());
  if (!st.Ok()) return SqliteError(db, "audit retention");
  if (bind >= 0) st.Int(1, bind);
  const int rc = sqlite3_step(st.Get());
  if (rc == SQLITE_ROW) return st.ColInt(0);
  if (rc == SQLITE_DONE) return std::int64_t{0};
  return SqliteError(db, "audit retention");
}

// The highest seq to prune: too old, or the oldest ~10% more than needed to get
// the file under max_bytes (so the next records do not trigger it again at once).
Result<std::int64_t> PruneCutoff(sqlite3* db, const AuditOptions& o, std::int64_t now_ms) {
  std::int64_t cutoff = 0;
  if (o.retention.count() > 0) {
    HOTPLEX_TRY(cutoff, ScalarInt(db, "SELECT ifnull(max(seq), 0) FROM audit WHERE ts_ms < ?",
                                  now_ms - o.retention.count()));
  }
  if (o.max_bytes == 0) return cutoff;
  HOTPLEX_TRY(std::int64_t pages, ScalarInt(db, "PRAGMA page_count"));
  HOTPLEX_TRY(std::int64_t free_pages, ScalarInt(db, "PRAGMA freelist_count"));
  HOTPLEX_TRY(std::int64_t page_size, ScalarInt(db, "PRAGMA page_size"));
  const double used = static_cast<double>((pages - free_pages) * page_size);
  if (used <= static_cast<double>(o.max_bytes)) return cutoff;
  HOTPLEX_TRY(std::int64_t rows, ScalarInt(db, "SELECT count(*) FROM audit"));
  const double keep = 0.9 * static_cast<double>(o.max_bytes) / used;
  const auto drop = static_cast<std::int64_t>(std::ceil(static_cast<double>(rows) * (1.0 - keep)));
  if (drop <= 0) return cutoff;
  HOTPLEX_TRY(std::int64_t by_size,
              ScalarInt(db, "SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET ?", drop - 1));
  return std::max(cutoff, by_size);
}

hotplex::Status WriteAll(int fd, const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write", "audit archive");
    off += static_cast<std::size_t>(n);
  }
  return {};
}

// Writes seq (from, to] to `path` (via a temp file, fsynced, renamed); returns
// the hash of the last record written.
Result<std::string> Archive(sqlite3* db, std::int64_t from, std::int64_t to,
                            const std::string& path) {
  const std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError("open", "audit archive " + tmp);
  AuditFilter all;
  all.after_seq = from;
  std::string last_hash;
  hotplex::Status written;
  std::string chunk;
  auto flush = [&] {
    if (written) written = WriteAll(fd.Get(), chunk);
    chunk.clear();
  };
  HOTPLEX_TRY_STATUS(audit_sql::Export(db, all, [&](const AuditEntry& e) {
    if (e.seq > to) return false;
    chunk += CanonicalJson(AuditEntryToJson(e)) + "\n";
    last_hash = e.hash;
    if (chunk.size() > (1u << 20)) flush();
    return written.has_value();
  }));
  flush();
  HOTPLEX_TRY_STATUS(written);
  if (::fsync(fd.Get()) != 0) return ErrnoError("fsync", "audit archive " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("rename", "audit archive");
  UniqueFd dir(::open(std::filesystem::path(path).parent_path().c_str(),
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir || ::fsync(dir.Get()) != 0) return ErrnoError("fsync", "audit archive directory");
  return last_hash;
}

}  // namespace

Result<RetentionReport> AuditStore::RunRetention(std::int64_t now_ms) {
  std::lock_guard lock(write_mu_);
  HOTPLEX_TRY(std::int64_t cutoff, PruneCutoff(write_db_, options_, now_ms));
  HOTPLEX_TRY(audit_sql::Anchor anchor, audit_sql::ReadAnchor(write_db_));
  if (cutoff <= anchor.seq) return RetentionReport{};
  std::error_code ec;
  std::filesystem::create_directories(options_.archive_dir, ec);
  if (ec) return MakeError("audit archive: create " + options_.archive_dir + ": " + ec.message());
  const std::string file = options_.archive_dir + "/audit-" + std::to_string(anchor.seq + 1) + "-" +
                           std::to_string(cutoff) + ".ndjson";
  HOTPLEX_TRY(std::string anchor_hash, Archive(write_db_, anchor.seq, cutoff, file));
  HOTPLEX_TRY_STATUS(SqliteExec(write_db_, "BEGIN IMMEDIATE", "audit retention"));
  auto prune = [&]() -> hotplex::Status {
    SqliteStatement del(write_db_, "DELETE FROM audit WHERE seq <= ?");
    if (!del.Ok()) return SqliteError(write_db_, "audit retention: delete");
    del.Int(1, cutoff);
    if (sqlite3_step(del.Get()) != SQLITE_DONE) return SqliteError(write_db_, "audit retention");
    HOTPLEX_TRY_STATUS(audit_sql::SetMeta(write_db_, "anchor_seq", std::to_string(cutoff)));
    HOTPLEX_TRY_STATUS(audit_sql::SetMeta(write_db_, "anchor_hash", anchor_hash));
    return SqliteExec(write_db_, "COMMIT", "audit retention: commit");
  };
  if (auto s = prune(); !s) {
    (void)SqliteExec(write_db_, "ROLLBACK", "audit retention");
    return s.error();
  }
  // The witness records the new anchor, so that verify can tell pruning from
  // someone deleting the first rows and moving the anchor by hand.
  anchor_ = {cutoff, anchor_hash};
  (void)WitnessLocked("anchor");  // logged and counted there
  (void)SqliteExec(write_db_, "PRAGMA incremental_vacuum", "audit retention");
  {
    std::lock_guard stats_lock(mu_);
    stats_.pruned += static_cast<std::uint64_t>(cutoff - anchor.seq);
  }
  return RetentionReport{cutoff - anchor.seq, file};
}

}  // namespace hotplex::supervisor
