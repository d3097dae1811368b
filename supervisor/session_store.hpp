// SessionStore: the sessions table in SQLite (WAL) under the state directory.
//
// Every accepted session is upserted here on each state change and turn, so
// that after a restart (even after kill -9) LoadAll() lists them again; the
// manager brings them back as `stopped`. Deleting a session removes its row.
//
// Writes are behind: Save() and Remove() queue the change (the latest queued
// change of a session wins) and a writer thread commits everything queued in
// one transaction, usually within a millisecond. No io thread ever waits for
// SQLite (a synchronous commit per state change stalled every session's
// events by tens of milliseconds at 1000 sessions, checkpoints included).
// Flush() waits for the queue where a caller's answer depends on the row being
// committed (a created session: its 201 promises that it survives a kill -9).
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "supervisor/session_record.hpp"

struct sqlite3;

namespace hotplex::supervisor {

class SessionStore {
 public:
  static Result<std::unique_ptr<SessionStore>> Open(const std::string& path);
  ~SessionStore();  // commits what is queued, then closes
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Queue an upsert of `record` / the removal of session `id`; never block on SQLite.
  void Save(const SessionRecord& record);
  void Remove(const std::string& id);
  // Waits until every change queued before the call is committed. The first
  // write error since the previous Flush(), if any (the writer goes on).
  hotplex::Status Flush();
  // The committed rows (call before queuing anything, e.g. at start-up).
  Result<std::vector<SessionRecord>> LoadAll();

 private:
  using Batch = std::map<std::string, std::optional<SessionRecord>>;  // nullopt = remove

  explicit SessionStore(sqlite3* db) : db_(db) {}
  hotplex::Status Exec(const char* sql);
  // Adds the columns newer than the table (schema upgrades in place).
  hotplex::Status Migrate();
  void Queue(const std::string& id, std::optional<SessionRecord> change);
  void WriterLoop();
  hotplex::Status Commit(const Batch& batch);

  std::mutex mu_;  // guards everything below but db_
  std::condition_variable wake_;
  std::condition_variable progress_;
  Batch pending_;
  std::uint64_t queued_ = 0;   // changes queued since start
  std::uint64_t written_ = 0;  // of those, committed (or failed)
  std::optional<std::string> error_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex db_mu_;  // guards db_: the writer's transactions and LoadAll()
  sqlite3* db_;
};

}  // namespace hotplex::supervisor
