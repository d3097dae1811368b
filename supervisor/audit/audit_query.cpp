// Filtered, cursor-paginated reads of the audit table (AuditReader::Query/Export).
#include <charconv>
#include <string>
#include <vector>

#include "supervisor/audit/audit_sql.hpp"

namespace hotplex::supervisor::audit_sql {
namespace {

// A WHERE clause and its bindings, built from a filter.
struct Where {
  std::string sql;
  std::vector<std::string> texts;  // bound first, in order
  std::vector<std::int64_t> ints;  // bound after the texts

  void Add(const std::string& clause) { sql += (sql.empty() ? " WHERE " : " AND ") + clause; }
};

// LIKE pattern for a type prefix ("session.*" -> "session.%"), escaping % and _.
std::string LikePrefix(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

Where BuildWhere(const AuditFilter& f) {
  Where w;
  if (!f.tenant.empty()) {
    w.Add("tenant = ?");
    w.texts.push_back(f.tenant);
  }
  if (!f.session.empty()) {
    w.Add("session = ?");
    w.texts.push_back(f.session);
  }
  if (!f.type.empty() && f.type.back() == '*') {
    w.Add("type LIKE ? ESCAPE '\\'");
    w.texts.push_back(LikePrefix(std::string_view(f.type).substr(0, f.type.size() - 1)));
  } else if (!f.type.empty()) {
    w.Add("type = ?");
    w.texts.push_back(f.type);
  }
  w.Add("seq > ?");
  w.ints.push_back(f.after_seq);
  if (f.since_ms) {
    w.Add("ts_ms >= ?");
    w.ints.push_back(*f.since_ms);
  }
  if (f.until_ms) {
    w.Add("ts_ms < ?");
    w.ints.push_back(*f.until_ms);
  }
  return w;
}

int Bind(SqliteStatement& st, const Where& w) {
  int i = 1;
  for (const auto& t : w.texts) st.Text(i++, t);
  for (auto v : w.ints) st.Int(i++, v);
  return i;
}

}  // namespace

AuditRow ReadRow(const SqliteStatement& st) {
  AuditRow r;
  r.seq = st.ColInt(0);
  r.ts_ms = st.ColInt(1);
  r.type = st.ColText(2);
  r.tenant = st.ColText(3);
  r.session = st.ColText(4);
  r.actor = st.ColText(5);
  r.data = st.ColText(6);
  r.prev_hash = st.ColText(7);
  r.hash = st.ColText(8);
  return r;
}

Result<AuditPage> Query(sqlite3* db, const AuditFilter& filter) {
  const Where w = BuildWhere(filter);
  const std::string sql =
      std::string("SELECT ") + kRowColumns + " FROM audit" + w.sql + " ORDER BY seq LIMIT ?";
  SqliteStatement st(db, sql.c_str());
  if (!st.Ok()) return SqliteError(db, "audit query");
  const std::size_t limit = filter.limit == 0 ? 1 : filter.limit;
  st.Int(Bind(st, w), static_cast<std::int64_t>(limit) + 1);
  AuditPage page;
  int rc;
  while ((rc = sqlite3_step(st.Get())) == SQLITE_ROW) {
    if (page.entries.size() == limit) {
      page.next_after = page.entries.back().seq;
      break;
    }
    page.entries.push_back(AuditRowToEntry(ReadRow(st)));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteError(db, "audit query");
  return page;
}

hotplex::Status Export(sqlite3* db, const AuditFilter& filter,
                       const std::function<bool(const AuditEntry&)>& each) {
  const Where w = BuildWhere(filter);
  const std::string sql =
      std::string("SELECT ") + kRowColumns + " FROM audit" + w.sql + " ORDER BY seq";
  SqliteStatement st(db, sql.c_str());
  if (!st.Ok()) return SqliteError(db, "audit export");
  Bind(st, w);
  int rc;
  while ((rc = sqlite3_step(st.Get())) == SQLITE_ROW) {
    if (!each(AuditRowToEntry(ReadRow(st)))) return {};
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "audit export");
  return {};
}

Result<std::string> GetMeta(sqlite3* db, const char* key) {
  SqliteStatement st(db, "SELECT value FROM audit_meta WHERE key = ?");
  if (!st.Ok()) return SqliteError(db, "audit meta");
  st.Text(1, key);
  const int rc = sqlite3_step(st.Get());
  if (rc == SQLITE_ROW) return st.ColText(0);
  if (rc == SQLITE_DONE) return std::string();
  return SqliteError(db, "audit meta");
}

hotplex::Status SetMeta(sqlite3* db, const char* key, const std::string& value) {
  SqliteStatement st(db, "INSERT OR REPLACE INTO audit_meta (key, value) VALUES (?, ?)");
  if (!st.Ok()) return SqliteError(db, "audit meta");
  st.Text(1, key);
  st.Text(2, value);
  if (sqlite3_step(st.Get()) != SQLITE_DONE) return SqliteError(db, "audit meta");
  return {};
}

namespace {

Result<Anchor> ReadPair(sqlite3* db, const char* seq_key, const char* hash_key) {
  HOTPLEX_TRY(std::string seq, GetMeta(db, seq_key));
  HOTPLEX_TRY(std::string hash, GetMeta(db, hash_key));
  Anchor a;
  if (!seq.empty()) {
    auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), a.seq);
    if (ec != std::errc() || end != seq.data() + seq.size()) {
      return MakeError(std::string("audit meta: ") + seq_key + " is not a number: " + seq);
    }
  }
  a.hash = std::move(hash);
  return a;
}

}  // namespace

Result<Anchor> ReadAnchor(sqlite3* db) { return ReadPair(db, "anchor_seq", "anchor_hash"); }

Result<std::optional<std::int64_t>> ReadKeyedFrom(sqlite3* db) {
  HOTPLEX_TRY(std::string text, GetMeta(db, "keyed_from"));
  if (text.empty()) return std::optional<std::int64_t>();
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    return MakeError("audit meta: keyed_from is not a seq: " + text);
  }
  return std::optional<std::int64_t>(v);
}

Result<Anchor> ReadHead(sqlite3* db) {
  HOTPLEX_TRY(std::string seq, GetMeta(db, "head_seq"));
  if (seq.empty()) return ReadAnchor(db);
  return ReadPair(db, "head_seq", "head_hash");
}

}  // namespace hotplex::supervisor::audit_sql
