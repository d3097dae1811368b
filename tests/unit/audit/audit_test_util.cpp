#include "tests/unit/audit/audit_test_util.hpp"

#include <sqlite3.h>

#include <future>
#include <stdexcept>

namespace hotplex::supervisor::testing {

AuditRecord Rec(std::string type, std::string tenant, std::string session, nlohmann::json data) {
  AuditRecord r;
  r.type = std::move(type);
  r.tenant = std::move(tenant);
  r.session = std::move(session);
  r.actor = "policy";
  r.data = std::move(data);
  return r;
}

hotplex::Status AppendSync(AuditSink& sink, AuditRecord record) {
  std::promise<hotplex::Status> done;
  auto result = done.get_future();
  sink.Append(std::move(record), [&done](const hotplex::Status& s) { done.set_value(s); });
  return result.get();
}

void RawSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open");
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("sql: " + message);
}

}  // namespace hotplex::supervisor::testing
