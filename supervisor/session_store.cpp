#include "supervisor/session_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/log_line.hpp"
#include "supervisor/audit/sqlite_statement.hpp"
#include "supervisor/state_dir.hpp"

namespace hotplex::supervisor {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  client_key TEXT NOT NULL,
  provider TEXT NOT NULL,
  policy TEXT NOT NULL,
  workdir TEXT NOT NULL,
  home TEXT NOT NULL,
  argv TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_active_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  state_reason TEXT NOT NULL,
  turns INTEGER NOT NULL,
  turns_ended INTEGER NOT NULL,
  has_conversation INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_creation_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL
))sql";

// Columns added after the first schema; existing rows get the default. Each is
// added once (Migrate() looks at the table's columns first).
constexpr std::pair<const char*, const char*> kAddedColumns[] = {
    {"conversation_id", "ALTER TABLE sessions ADD COLUMN conversation_id TEXT NOT NULL DEFAULT ''"},
    {"last_output_digest",
     "ALTER TABLE sessions ADD COLUMN last_output_digest TEXT NOT NULL DEFAULT ''"},
};

constexpr const char* kUpsert =
    "INSERT OR REPLACE INTO sessions (id, tenant_id, client_key, provider, policy, workdir, home, "
    "argv, created_ms, last_active_ms, state, state_reason, turns, turns_ended, "
    "has_conversation, last_seq, input_tokens, output_tokens, cache_read_tokens, "
    "cache_creation_tokens, cost_usd, conversation_id, last_output_digest) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr const char* kSelect =
    "SELECT id, tenant_id, client_key, provider, policy, workdir, home, argv, created_ms, "
    "last_active_ms, state, state_reason, turns, turns_ended, has_conversation, last_seq, "
    "input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, "
    "conversation_id, last_output_digest FROM sessions ORDER BY created_ms";

Error StoreError(sqlite3* db, const std::string& what) {
  return SqliteError(db, "session store: " + what);
}

void BindRecord(SqliteStatement& st, const SessionRecord& r) {
  st.Text(1, r.id);
  st.Text(2, r.tenant_id);
  st.Text(3, r.key);
  st.Text(4, ProviderKindName(r.provider));
  st.Text(5, r.policy);
  st.Text(6, r.workdir);
  st.Text(7, r.home);
  st.Text(8, nlohmann::json(r.argv).dump());
  st.Int(9, r.created_ms);
  st.Int(10, r.last_active_ms);
  st.Text(11, SessionStateName(r.state));
  st.Text(12, r.state_reason);
  st.Int(13, static_cast<std::int64_t>(r.turns));
  st.Int(14, static_cast<std::int64_t>(r.turns_ended));
  st.Int(15, r.has_conversation ? 1 : 0);
  st.Int(16, static_cast<std::int64_t>(r.last_seq));
  st.Int(17, static_cast<std::int64_t>(r.input_tokens));
  st.Int(18, static_cast<std::int64_t>(r.output_tokens));
  st.Int(19, static_cast<std::int64_t>(r.cache_read_tokens));
  st.Int(20, static_cast<std::int64_t>(r.cache_creation_tokens));
  st.Real(21, r.cost_usd);
  st.Text(22, r.conversation_id);
  st.Text(23, r.last_output_digest);
}

SessionRecord ReadRecord(const SqliteStatement& st) {
  SessionRecord r;
  r.id = st.ColText(0);
  r.tenant_id = st.ColText(1);
  r.key = st.ColText(2);
  ParseProviderKind(st.ColText(3), r.provider);
  r.policy = st.ColText(4);
  r.workdir = st.ColText(5);
  r.home = st.ColText(6);
  auto argv = nlohmann::json::parse(st.ColText(7), nullptr, false);
  if (argv.is_array()) {
    for (const auto& a : argv) {
      if (a.is_string()) r.argv.push_back(a.get<std::string>());
    }
  }
  r.created_ms = st.ColInt(8);
  r.last_active_ms = st.ColInt(9);
  r.state = ParseSessionState(st.ColText(10)).value_or(SessionState::kStopped);
  r.state_reason = st.ColText(11);
  r.turns = static_cast<std::uint64_t>(st.ColInt(12));
  r.turns_ended = static_cast<std::uint64_t>(st.ColInt(13));
  r.has_conversation = st.ColInt(14) != 0;
  r.last_seq = static_cast<std::uint64_t>(st.ColInt(15));
  r.input_tokens = static_cast<std::uint64_t>(st.ColInt(16));
  r.output_tokens = static_cast<std::uint64_t>(st.ColInt(17));
  r.cache_read_tokens = static_cast<std::uint64_t>(st.ColInt(18));
  r.cache_creation_tokens = static_cast<std::uint64_t>(st.ColInt(19));
  r.cost_usd = sqlite3_column_double(st.Get(), 20);
  r.conversation_id = st.ColText(21);
  if (r.conversation_id.empty()) r.conversation_id = r.id;  // rows from before the column
  r.last_output_digest = st.ColText(22);
  return r;
}

// The database file must pass the state dir's trust rule (ours, no link,
// nobody else writes it) and be 0600 before SQLite creates the -wal and -shm,
// which take the database's mode.
hotplex::Status CheckDatabaseFile(const std::string& path) {
  HOTPLEX_TRY(auto fd, OpenDaemonFile(path, DaemonFileKind::kDatabase));
  if (fd && ::fchmod(fd->Get(), kPrivateFileMode) != 0) return ErrnoError("fchmod", path);
  return {};
}

// SQLITE_OPEN_NOFOLLOW refuses a link anywhere in the name: the directories
// above the file (the operator's choice) are resolved once, here.
std::string ResolvedParent(const std::string& path) {
  const std::filesystem::path p(path);
  std::error_code ec;
  const auto parent =
      std::filesystem::canonical(p.parent_path().empty() ? "." : p.parent_path(), ec);
  return ec ? path : (parent / p.filename()).string();
}

}  // namespace

Result<std::unique_ptr<SessionStore>> SessionStore::Open(const std::string& path) {
  HOTPLEX_TRY_STATUS(CheckDatabaseFile(path));
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      ResolvedParent(path).c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  std::unique_ptr<SessionStore> store(new SessionStore(db));
  if (rc != SQLITE_OK) return StoreError(db, "open " + path);
  HOTPLEX_TRY_STATUS(CheckDatabaseFile(path));
  sqlite3_busy_timeout(db, 5000);
  // WAL + synchronous=NORMAL: a committed row survives a daemon crash (kill -9);
  // only a power loss may lose the last transactions.
  HOTPLEX_TRY_STATUS(store->Exec("PRAGMA journal_mode=WAL"));
  HOTPLEX_TRY_STATUS(store->Exec("PRAGMA synchronous=NORMAL"));
  HOTPLEX_TRY_STATUS(store->Exec(kSchema));
  HOTPLEX_TRY_STATUS(store->Migrate());
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

SessionStore::~SessionStore() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  sqlite3_close_v2(db_);
}

hotplex::Status SessionStore::Exec(const char* sql) {
  return SqliteExec(db_, sql, "session store");
}

hotplex::Status SessionStore::Migrate() {
  std::set<std::string> columns;
  {
    SqliteStatement st(db_, "PRAGMA table_info(sessions)");
    if (!st.Ok()) return StoreError(db_, "prepare table_info");
    while (sqlite3_step(st.Get()) == SQLITE_ROW) columns.insert(st.ColText(1));
  }
  for (const auto& [column, sql] : kAddedColumns) {
    if (columns.count(column) == 0) {
      HOTPLEX_TRY_STATUS(Exec(sql));
    }
  }
  return {};
}

void SessionStore::Save(const SessionRecord& record) { Queue(record.id, record); }

void SessionStore::Remove(const std::string& id) { Queue(id, std::nullopt); }

void SessionStore::Queue(const std::string& id, std::optional<SessionRecord> change) {
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = pending_.try_emplace(id, std::move(change));
    if (!inserted) {
      it->second = std::move(change);
      ++written_;  // the earlier change of this id is superseded, never written
    }
    ++queued_;
  }
  wake_.notify_one();
}

hotplex::Status SessionStore::Flush() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = queued_;
  progress_.wait(lock, [&] { return written_ >= target || !writer_.joinable(); });
  if (!error_) return {};
  std::string error = std::move(*error_);
  error_.reset();
  return MakeError(std::move(error));
}

void SessionStore::WriterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    Batch batch;
    batch.swap(pending_);
    lock.unlock();
    auto committed = Commit(batch);
    lock.lock();
    if (!committed) {
      LogLine(LogLevel::kError, "session_store", "session store write failed",
              {{"error", committed.error().Describe()}});
      if (!error_) error_ = committed.error().Describe();
    }
    written_ += batch.size();
    progress_.notify_all();
  }
}

hotplex::Status SessionStore::Commit(const Batch& batch) {
  std::lock_guard db_lock(db_mu_);
  HOTPLEX_TRY_STATUS(Exec("BEGIN IMMEDIATE"));
  SqliteStatement upsert(db_, kUpsert);
  SqliteStatement remove(db_, "DELETE FROM sessions WHERE id = ?");
  if (!upsert.Ok() || !remove.Ok()) {
    (void)Exec("ROLLBACK");
    return StoreError(db_, "prepare");
  }
  for (const auto& [id, change] : batch) {
    SqliteStatement& st = change ? upsert : remove;
    st.Reset();
    if (change) {
      BindRecord(st, *change);
    } else {
      st.Text(1, id);
    }
    if (sqlite3_step(st.Get()) != SQLITE_DONE) {
      auto error = StoreError(db_, (change ? "save " : "delete ") + id);
      (void)Exec("ROLLBACK");
      return error;
    }
  }
  return Exec("COMMIT");
}

Result<std::vector<SessionRecord>> SessionStore::LoadAll() {
  std::lock_guard lock(db_mu_);
  SqliteStatement st(db_, kSelect);
  if (!st.Ok()) return StoreError(db_, "prepare select");
  std::vector<SessionRecord> out;
  int rc;
  while ((rc = sqlite3_step(st.Get())) == SQLITE_ROW) out.push_back(ReadRecord(st));
  if (rc != SQLITE_DONE) return StoreError(db_, "load sessions");
  return out;
}

}  // namespace hotplex::supervisor
