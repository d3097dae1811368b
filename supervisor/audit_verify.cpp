// Verification of the audit hash chain: every row recomputed, every link and
// every seq checked, from the anchor (the last pruned record) to the head.
#include <sqlite3.h>

#include "supervisor/audit_sql.hpp"
#include "supervisor/audit_store.hpp"

namespace hotplex::supervisor {
namespace audit_sql {
namespace {

AuditVerifyReport Broken(std::int64_t checked, std::int64_t seq, std::string problem) {
  AuditVerifyReport r;
  r.ok = false;
  r.checked = checked;
  r.first_bad_seq = seq;
  r.problem = std::move(problem);
  return r;
}

// The first problem of one row given what the chain expects there, or "".
std::string RowProblem(const AuditRow& row, std::int64_t expected_seq,
                       const std::string& expected_prev) {
  if (row.seq > expected_seq) {
    return row.seq == expected_seq + 1
               ? "missing seq " + std::to_string(expected_seq)
               : "missing seq " + std::to_string(expected_seq) + ".." +
                     std::to_string(row.seq - 1);
  }
  if (row.prev_hash != expected_prev) {
    return "seq " + std::to_string(row.seq) + ": prev_hash does not match the hash of seq " +
           std::to_string(row.seq - 1);
  }
  if (AuditRowHash(row) != row.hash) {
    return "seq " + std::to_string(row.seq) + ": hash mismatch (the record was altered)";
  }
  return "";
}

}  // namespace

Result<AuditVerifyReport> Verify(sqlite3* db) {
  // One read transaction: the rows, the anchor and the head form one snapshot.
  HOTPLEX_TRY_STATUS(SqliteExec(db, "BEGIN", "audit verify"));
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)SqliteExec(db, "COMMIT", "audit verify"); }
  } end_read{db};
  HOTPLEX_TRY(Anchor anchor, ReadAnchor(db));
  HOTPLEX_TRY(Anchor head, ReadHead(db));
  SqliteStatement st(db, (std::string("SELECT ") + kRowColumns +
                          " FROM audit WHERE seq > ? ORDER BY seq").c_str());
  if (!st.Ok()) return SqliteError(db, "audit verify");
  st.Int(1, anchor.seq);
  std::int64_t expected_seq = anchor.seq + 1;
  std::string expected_prev = anchor.hash;
  std::int64_t checked = 0;
  int rc;
  while ((rc = sqlite3_step(st.Get())) == SQLITE_ROW) {
    const AuditRow row = ReadRow(st);
    std::string problem = RowProblem(row, expected_seq, expected_prev);
    if (!problem.empty()) {
      return Broken(checked, row.seq > expected_seq ? expected_seq : row.seq, std::move(problem));
    }
    ++checked;
    ++expected_seq;
    expected_prev = row.hash;
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "audit verify");
  // Rows deleted from the end leave no gap: the head (updated with every commit)
  // still names the last committed record.
  if (head.seq >= expected_seq) {
    return Broken(checked, expected_seq,
                  "missing seq " + std::to_string(expected_seq) +
                      (head.seq > expected_seq ? ".." + std::to_string(head.seq) : "") +
                      " (the head says the last committed record is seq " +
                      std::to_string(head.seq) + ")");
  }
  if (head.seq < expected_seq - 1) {
    return Broken(checked, head.seq + 1,
                  "seq " + std::to_string(head.seq + 1) +
                      ": beyond the recorded head (added outside the store)");
  }
  if (head.hash != expected_prev) {
    return Broken(checked, head.seq, "seq " + std::to_string(head.seq) +
                                         ": hash does not match the recorded head");
  }
  AuditVerifyReport ok;
  ok.checked = checked;
  return ok;
}

}  // namespace audit_sql

Result<AuditVerifyReport> VerifyAuditDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close_v2(db); }
  } closer{db};
  if (rc != SQLITE_OK) return SqliteError(db, "audit verify: open " + path);
  sqlite3_busy_timeout(db, 5000);
  return audit_sql::Verify(db);
}

}  // namespace hotplex::supervisor
