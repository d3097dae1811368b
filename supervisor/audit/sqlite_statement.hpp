// SqliteStatement: one prepared SQLite statement, finalized by its destructor,
// with typed bind/column helpers; plus SqliteExec for statements without rows.
// Shared by the SQLite-backed stores (session_store, audit_store).
// Thread-safety: none; use it under the owning connection's lock.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex::supervisor {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  bool Ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* Get() const { return stmt_; }
  void Text(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void Int(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Real(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  std::string ColText(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
             : std::string();
  }
  std::int64_t ColInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  // Resets for the next execution with new bindings.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

// "<what>: <sqlite message>".
inline Error SqliteError(sqlite3* db, const std::string& what) {
  return MakeError(what + ": " + sqlite3_errmsg(db));
}

// Runs `sql` (no result rows); the error message is prefixed with `what`.
inline hotplex::Status SqliteExec(sqlite3* db, const char* sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(what + ": " + message);
  }
  return {};
}

}  // namespace hotplex::supervisor
