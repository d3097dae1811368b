// Verification of the audit chain: every row recomputed (HMAC under the audit
// key from keyed_from on, plain SHA-256 before), every link and seq checked
// from the anchor to the head; then the database compared with the signed
// witness checkpoints (head, anchor, keyed start) and, online, with the head
// the running store committed last. Findings are collected and the one with
// the smallest seq is reported first.
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "supervisor/audit/audit_sql.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/audit/sha256.hpp"

namespace hotplex::supervisor {
namespace audit_sql {
namespace {

constexpr std::size_t kMaxFindings = 10;

class Findings {
 public:
  void Add(std::optional<std::int64_t> seq, std::string kind, std::string text) {
    if (all_.size() < kMaxFindings) all_.push_back({seq, std::move(kind), std::move(text)});
  }
  void Add(const WitnessFinding& f) { Add(f.seq, f.kind, f.text); }
  AuditVerifyReport Report(std::int64_t checked) const {
    AuditVerifyReport r;
    r.checked = checked;
    if (all_.empty()) return r;
    auto order = all_;
    // Findings that name a record come first, the smallest seq first.
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.seq.value_or(INT64_MAX) < b.seq.value_or(INT64_MAX);
    });
    r.ok = false;
    r.first_bad_seq = order.front().seq;
    r.kind = order.front().kind;
    r.problem = order.front().text;
    for (std::size_t i = 1; i < order.size(); ++i) {
      r.more_problems.push_back(order[i].kind + ": " + order[i].text);
    }
    return r;
  }

 private:
  std::vector<WitnessFinding> all_;
};

struct Walk {
  std::int64_t checked = 0;
  std::int64_t last_seq = 0;  // the last row that chained correctly
  std::string last_hash;
  bool broken = false;
};

// The first problem of one row given what the chain expects there, or "".
std::string RowProblem(const AuditRow& row, std::int64_t expected_seq,
                       const std::string& expected_prev, const AuditKey* key, std::string& kind) {
  const std::string at = "seq " + std::to_string(row.seq) + ": ";
  if (row.seq > expected_seq) {
    kind = "missing";
    return row.seq == expected_seq + 1
               ? "missing seq " + std::to_string(expected_seq)
               : "missing seq " + std::to_string(expected_seq) + ".." + std::to_string(row.seq - 1);
  }
  if (row.prev_hash != expected_prev) {
    kind = "altered";
    return at + "prev_hash does not match the hash of seq " + std::to_string(row.seq - 1);
  }
  const bool plain_ok = AuditRowHash(row) == row.hash;
  if (key == nullptr) {
    kind = "altered";
    return plain_ok ? "" : at + "hash mismatch (the record was altered)";
  }
  if (AuditRowMac(row, *key) == row.hash) return "";
  kind = plain_ok ? "rehashed" : "altered";
  return plain_ok ? at + "re-hashed with plain SHA-256, not with the daemon's audit key: the "
                         "record was altered and the chain recomputed from here on"
                  : at + "hash mismatch (the record was altered; HMAC-SHA-256 under the "
                         "audit key)";
}

using Pins = std::unordered_map<std::int64_t, const WitnessSummary::Recent*>;

Pins PinsOf(const WitnessSummary* w) {
  Pins pins;
  if (w == nullptr) return pins;
  for (const auto& r : w->recent) {
    if (r.checkpoint.seq > 0) pins[r.checkpoint.seq] = &r;
  }
  return pins;
}

hotplex::Status WalkRows(sqlite3* db, const Anchor& anchor, std::int64_t keyed_from,
                         const VerifyInputs& in, Walk& walk, Findings& findings) {
  SqliteStatement st(
      db,
      (std::string("SELECT ") + kRowColumns + " FROM audit WHERE seq > ? ORDER BY seq").c_str());
  if (!st.Ok()) return SqliteError(db, "audit verify");
  st.Int(1, anchor.seq);
  const Pins pins = PinsOf(in.witness);
  walk.last_seq = anchor.seq;
  walk.last_hash = anchor.hash;
  int rc;
  while ((rc = sqlite3_step(st.Get())) == SQLITE_ROW) {
    const AuditRow row = ReadRow(st);
    std::string kind;
    const AuditKey* key = row.seq >= keyed_from ? in.key : nullptr;
    std::string problem = RowProblem(row, walk.last_seq + 1, walk.last_hash, key, kind);
    if (!problem.empty()) {
      findings.Add(row.seq > walk.last_seq + 1 ? walk.last_seq + 1 : row.seq, kind, problem);
      walk.broken = true;
      return {};
    }
    if (auto pin = pins.find(row.seq);
        pin != pins.end() && pin->second->checkpoint.hash != row.hash) {
      findings.Add(row.seq, "rewritten",
                   "seq " + std::to_string(row.seq) + ": the hash differs from witness line " +
                       std::to_string(pin->second->line) + " (" + pin->second->checkpoint.kind +
                       ", " + FormatMs(pin->second->checkpoint.ts_ms) +
                       "): the chain was rewritten or replaced from here or earlier");
    }
    ++walk.checked;
    walk.last_seq = row.seq;
    walk.last_hash = row.hash;
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "audit verify");
  return {};
}

// The recorded head (audit_meta) against the rows, as before the witness existed.
void CompareMetaHead(const Anchor& head, const Walk& walk, Findings& findings) {
  if (walk.broken) return;
  const std::int64_t next = walk.last_seq + 1;
  if (head.seq >= next) {
    findings.Add(next, "missing",
                 "missing seq " + std::to_string(next) +
                     (head.seq > next ? ".." + std::to_string(head.seq) : "") +
                     " (the head says the last committed record is seq " +
                     std::to_string(head.seq) + ")");
  } else if (head.seq < walk.last_seq) {
    findings.Add(head.seq + 1, "added",
                 "seq " + std::to_string(head.seq + 1) +
                     ": beyond the recorded head (added outside the store)");
  } else if (head.hash != walk.last_hash) {
    findings.Add(head.seq, "altered",
                 "seq " + std::to_string(head.seq) + ": hash does not match the recorded head");
  }
}

void CompareAnchor(const Anchor& db, const AuditCheckpoint& w, std::int64_t line,
                   Findings& findings) {
  const std::string where =
      " (witness line " + std::to_string(line) + ", " + w.kind + ", " + FormatMs(w.ts_ms) + ")";
  if (db.seq > w.anchor_seq) {
    findings.Add(w.anchor_seq + 1, "anchor",
                 "records " + std::to_string(w.anchor_seq + 1) + ".." + std::to_string(db.seq) +
                     " were deleted from the start outside retention: the database's anchor is "
                     "seq " +
                     std::to_string(db.seq) + ", the witness's is seq " +
                     std::to_string(w.anchor_seq) + where);
  } else if (db.seq < w.anchor_seq) {
    findings.Add(db.seq + 1, "anchor",
                 "the database's anchor is seq " + std::to_string(db.seq) +
                     " but retention moved it to seq " + std::to_string(w.anchor_seq) + where +
                     ": an older copy of audit.db was put back");
  } else if (db.hash != w.anchor_hash) {
    findings.Add(db.seq, "anchor", "the anchor's hash differs from the witness's" + where);
  }
}

void CompareWitness(const Anchor& anchor, std::int64_t db_last,
                    std::optional<std::int64_t> db_keyed_from, const VerifyInputs& in,
                    Findings& findings) {
  const WitnessSummary& w = *in.witness;
  if (w.finding) findings.Add(*w.finding);
  if (!w.last) {
    findings.Add(std::nullopt, "witness",
                 "the witness " + in.witness_name +
                     " holds no checkpoint: truncation and "
                     "rollback of audit.db cannot be ruled out");
    return;
  }
  const AuditCheckpoint& last = *w.last;
  const std::string where = "witness line " + std::to_string(w.last_line) + " (" + last.kind +
                            ", " + FormatMs(last.ts_ms) + ")";
  if (last.seq > db_last) {
    findings.Add(db_last + 1, "behind_witness",
                 "the database ends at seq " + std::to_string(db_last) + " but " + where +
                     " recorded the head at seq " + std::to_string(last.seq) + ": records " +
                     std::to_string(db_last + 1) + ".." + std::to_string(last.seq) +
                     " are gone (tail truncated, an older copy of audit.db put back, or its "
                     "WAL cut short)");
  }
  CompareAnchor(anchor, last, w.last_line, findings);
  if (db_keyed_from != last.keyed_from) {
    findings.Add(std::min(db_keyed_from.value_or(INT64_MAX), last.keyed_from), "downgrade",
                 "audit_meta says the keyed chain starts at " +
                     (db_keyed_from ? "seq " + std::to_string(*db_keyed_from) : "no seq") +
                     ", the witness says seq " + std::to_string(last.keyed_from));
  }
}

void CompareLive(const Anchor& live, const Walk& walk, std::int64_t db_last, Findings& f) {
  if (live.seq == db_last && (walk.broken || live.hash == walk.last_hash)) return;
  const std::int64_t bad = std::min(live.seq, db_last) + (live.seq == db_last ? 0 : 1);
  f.Add(bad, "live_head",
        "the database's last record is seq " + std::to_string(db_last) +
            " but the running daemon committed up to seq " + std::to_string(live.seq) +
            (live.seq == db_last ? " with another hash" : "") +
            ": audit.db was changed under the running daemon");
}

struct Snapshot {
  Anchor anchor;
  Anchor head;
  std::optional<std::int64_t> keyed_from;
  std::int64_t last = 0;  // the highest seq present (the anchor when there is none)
};

Result<Snapshot> ReadSnapshot(sqlite3* db) {
  Snapshot snap;
  HOTPLEX_TRY(snap.anchor, ReadAnchor(db));
  HOTPLEX_TRY(snap.head, ReadHead(db));
  HOTPLEX_TRY(snap.keyed_from, ReadKeyedFrom(db));
  SqliteStatement max(db, "SELECT max(seq) FROM audit");
  if (!max.Ok() || sqlite3_step(max.Get()) != SQLITE_ROW) return SqliteError(db, "audit verify");
  snap.last = std::max(max.ColInt(0), snap.anchor.seq);
  return snap;
}

// What the report says besides its findings: the legacy prefix, the witness.
void Annotate(AuditVerifyReport& report, const Anchor& anchor, std::int64_t keyed_from,
              const VerifyInputs& in) {
  if (keyed_from != INT64_MAX && keyed_from - 1 > anchor.seq) {
    report.legacy_through = keyed_from - 1;
    report.warnings.push_back(
        "records " + std::to_string(anchor.seq + 1) + ".." + std::to_string(keyed_from - 1) +
        " predate the audit key (plain SHA-256); they are pinned by the MAC of seq " +
        std::to_string(keyed_from) + " over its prev_hash and by the witness");
  }
  if (in.witness == nullptr && in.witness_optional) report.warnings.push_back(in.witness_note);
  if (in.witness != nullptr && in.witness->last) {
    report.witness = in.witness_name + " (" + std::to_string(in.witness->checkpoints) +
                     " checkpoints, last: seq " + std::to_string(in.witness->last->seq) + ")";
  }
}

}  // namespace

Result<AuditVerifyReport> Verify(sqlite3* db, const VerifyInputs& in,
                                 std::unique_lock<std::mutex>* snapshot_lock) {
  // One read transaction: the rows, the anchor and the head form one snapshot.
  HOTPLEX_TRY_STATUS(SqliteExec(db, "BEGIN", "audit verify"));
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)SqliteExec(db, "COMMIT", "audit verify"); }
  } end_read{db};
  HOTPLEX_TRY(const Snapshot snap, ReadSnapshot(db));
  if (snapshot_lock != nullptr) snapshot_lock->unlock();
  const bool witnessed = in.witness != nullptr && in.witness->first.has_value();
  // The witness's keyed start is signed; audit_meta's is not (an attacker could
  // move it up to pass keyed records off as legacy ones).
  const std::int64_t keyed_from =
      witnessed ? in.witness->first->keyed_from : snap.keyed_from.value_or(INT64_MAX);
  if (in.key == nullptr && snap.last >= keyed_from) {
    return MakeError("records from seq " + std::to_string(keyed_from) +
                     " on are signed: the audit key file is needed to verify them (--key FILE)");
  }
  Findings findings;
  Walk walk;
  HOTPLEX_TRY_STATUS(WalkRows(db, snap.anchor, keyed_from, in, walk, findings));
  CompareMetaHead(snap.head, walk, findings);
  if (in.witness != nullptr) {
    CompareWitness(snap.anchor, snap.last, snap.keyed_from, in, findings);
  } else if (!in.witness_optional) {
    findings.Add(std::nullopt, "witness", in.witness_note);
  }
  if (!snap.keyed_from && !witnessed) {
    findings.Add(std::nullopt, "unkeyed",
                 "this audit.db has no keyed chain and no witness (written before audit keys "
                 "existed): it is not tamper-evident; start the daemon once to begin the keyed "
                 "chain");
  }
  if (in.live_head) CompareLive(*in.live_head, walk, snap.last, findings);
  AuditVerifyReport report = findings.Report(walk.checked);
  Annotate(report, snap.anchor, keyed_from, in);
  return report;
}

}  // namespace audit_sql

namespace {

std::string Beside(const std::string& db_path, const char* name) {
  const auto dir = std::filesystem::path(db_path).parent_path();
  return (dir.empty() ? std::filesystem::path(name) : dir / name).string();
}

struct Closer {
  sqlite3* db;
  ~Closer() { sqlite3_close_v2(db); }
};

}  // namespace

nlohmann::json AuditVerifyReportToJson(const AuditVerifyReport& r) {
  return {{"ok", r.ok},
          {"checked", r.checked},
          {"first_bad_seq", r.first_bad_seq ? nlohmann::json(*r.first_bad_seq) : nlohmann::json()},
          {"kind", r.kind},
          {"problem", r.problem},
          {"more_problems", r.more_problems},
          {"warnings", r.warnings},
          {"legacy_through", r.legacy_through},
          {"witness", r.witness}};
}

Result<AuditVerifyReport> VerifyAuditDatabase(const std::string& path, const std::string& key_file,
                                              const std::string& witness_file) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  Closer closer{db};
  if (rc != SQLITE_OK) return SqliteError(db, "audit verify: open " + path);
  sqlite3_busy_timeout(db, 5000);
  const std::string key_path = key_file.empty() ? Beside(path, "audit-key") : key_file;
  auto key = AuditKey::LoadForVerify(key_path);
  HOTPLEX_TRY(std::optional<std::int64_t> keyed_from, audit_sql::ReadKeyedFrom(db));
  if (!key && keyed_from) {
    return MakeError(key.error().Describe() + " (this audit.db has records signed from seq " +
                     std::to_string(*keyed_from) + " on: give its key with --key FILE)");
  }
  audit_sql::VerifyInputs in;
  in.key = key ? &*key : nullptr;
  in.witness_name = witness_file.empty() ? Beside(path, "audit-witness") : witness_file;
  std::optional<WitnessSummary> witness;
  if (witness_file == "none") {
    in.witness_optional = true;
    in.witness_note =
        "no witness checked (--witness none): truncation and rollback of "
        "audit.db are not detectable without one";
  } else if (!key) {
    in.witness_note = "the witness " + in.witness_name + " cannot be checked without the key";
  } else if (auto w = ReadWitness(in.witness_name, *key); w) {
    witness = std::move(*w);
    in.witness = &*witness;
  } else {
    in.witness_note = "the witness cannot be read: " + w.error().Describe() +
                      " (give it with --witness FILE, e.g. a journal export)";
  }
  return audit_sql::Verify(db, in);
}

}  // namespace hotplex::supervisor
