// SessionStore: the sessions table in SQLite (WAL) under the state directory.
//
// Every accepted session is upserted here on each state change and turn, so
// that after a restart (even after kill -9) LoadAll() lists them again; the
// manager brings them back as `stopped`. Deleting a session removes its row.
// Thread-safety: thread-safe (one connection guarded by a mutex; SQLite calls
// are short).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "supervisor/session_record.hpp"

struct sqlite3;

namespace hotplex::supervisor {

class SessionStore {
 public:
  static Result<std::unique_ptr<SessionStore>> Open(const std::string& path);
  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  hotplex::Status Save(const SessionRecord& record);
  hotplex::Status Remove(const std::string& id);
  Result<std::vector<SessionRecord>> LoadAll();

 private:
  explicit SessionStore(sqlite3* db) : db_(db) {}
  hotplex::Status Exec(const char* sql);
  // Adds the columns newer than the table (schema upgrades in place).
  hotplex::Status Migrate();

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace hotplex::supervisor
