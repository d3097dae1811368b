#include "tests/hostile/audit/audit_attacker.hpp"

#include <httplib.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <filesystem>
#include <stdexcept>

#include "supervisor/audit/audit_chain.hpp"
#include "supervisor/audit/sha256.hpp"
#include "tests/support/piped_process.hpp"

namespace hotplex::testing::audit_attack {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
    sqlite3_busy_timeout(db, 5000);
  }
  ~Db() { sqlite3_close(db); }
  void Exec(const std::string& sql) const {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err != nullptr ? err : "";
    sqlite3_free(err);
    if (rc != SQLITE_OK) throw std::runtime_error("sql: " + message + ": " + sql);
  }
};

std::string Column(sqlite3_stmt* st, int i) {
  const auto* text = sqlite3_column_text(st, i);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

}  // namespace

VerifyOutcome OfflineVerify(const std::string& db) {
  ProcessSpec spec;
  spec.argv = {HostileDaemon::Binary(), "audit", "verify", "--database", db, "--json"};
  spec.env = InheritEnv({"PATH"});
  VerifyOutcome out;
  auto proc = PipedProcess::Spawn(spec);
  if (!proc) return out;
  while (auto line = proc->ReadLine(std::chrono::seconds(30))) out.raw += *line + "\n";
  const auto status = proc->Wait(std::chrono::seconds(30));
  if (status && WIFEXITED(*status)) out.exit_code = WEXITSTATUS(*status);
  out.body = json::parse(out.raw, nullptr, false);
  return out;
}

json RouteVerify(const HostileDaemon& daemon) {
  Reply r = daemon.Admin("GET", "/admin/v1/audit/verify");
  return r.status == 200 ? r.body : json{{"status", r.status}, {"raw", r.raw}};
}

void Generate(const HostileDaemon& daemon, int admin_calls, bool sessions) {
  for (int i = 0; i < admin_calls; ++i) daemon.Admin("GET", "/admin/v1/audit?limit=1");
  httplib::Client client("127.0.0.1", daemon.AdminPort());
  client.set_read_timeout(5, 0);
  for (int i = 0; i < 3; ++i) {
    client.Get("/admin/v1/stats", httplib::Headers{{"Authorization", "Bearer not-the-token"}});
  }
  if (!sessions) return;
  const std::string id = daemon.CreateShell("a");
  if (!id.empty()) daemon.Call("DELETE", "/v1/sessions/" + id);
}

void Sql(const std::string& db, const std::string& sql) { Db(db).Exec(sql); }

std::int64_t Int(const std::string& db, const std::string& sql) {
  return std::stoll(Text(db, sql));
}

std::string Text(const std::string& db, const std::string& sql) {
  Db d(db);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    throw std::runtime_error("prepare: " + sql);
  }
  std::string value = sqlite3_step(st) == SQLITE_ROW ? Column(st, 0) : "";
  sqlite3_finalize(st);
  return value;
}

void RewriteAndRehash(const std::string& db, std::int64_t seq, const std::string& data) {
  Db d(db);
  d.Exec("BEGIN IMMEDIATE");
  std::string prev =
      seq == 1 ? "" : Text(db, "SELECT hash FROM audit WHERE seq=" + std::to_string(seq - 1));
  sqlite3_stmt* st = nullptr;
  const std::string select =
      "SELECT seq, ts_ms, type, tenant, session, actor, data FROM audit WHERE seq >= " +
      std::to_string(seq) + " ORDER BY seq";
  if (sqlite3_prepare_v2(d.db, select.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    throw std::runtime_error("prepare rehash");
  }
  std::vector<std::pair<std::int64_t, std::pair<std::string, std::string>>> updates;
  while (sqlite3_step(st) == SQLITE_ROW) {
    supervisor::AuditRow row;
    row.seq = sqlite3_column_int64(st, 0);
    row.ts_ms = sqlite3_column_int64(st, 1);
    row.type = Column(st, 2);
    row.tenant = Column(st, 3);
    row.session = Column(st, 4);
    row.actor = Column(st, 5);
    row.data = row.seq == seq ? data : Column(st, 6);
    row.prev_hash = prev;
    prev = supervisor::Sha256Hex(supervisor::AuditCanonicalForm(row));
    updates.push_back({row.seq, {row.data, row.prev_hash}});
  }
  sqlite3_finalize(st);
  std::string hash;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    hash = i + 1 < updates.size() ? updates[i + 1].second.second : prev;
    const auto& [s, fields] = updates[i];
    d.Exec("UPDATE audit SET data=" + std::string("'") + fields.first + "', prev_hash='" +
           fields.second + "', hash='" + hash + "' WHERE seq=" + std::to_string(s));
  }
  d.Exec("UPDATE audit_meta SET value='" + prev + "' WHERE key='head_hash'");
  d.Exec("COMMIT");
}

void CopyDatabase(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const fs::path src = fs::path(from) / (std::string("audit.db") + suffix);
    const fs::path dst = fs::path(to) / (std::string("audit.db") + suffix);
    fs::remove(dst);
    if (fs::exists(src)) fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
  }
}

std::int64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? -1 : static_cast<std::int64_t>(size);
}

}  // namespace hotplex::testing::audit_attack
