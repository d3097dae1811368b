// Helpers for the audit tests: a synchronous Append and raw SQL on the database
// (the "attacker" editing rows behind the store's back).
#pragma once

#include <string>

#include "supervisor/audit/audit_store.hpp"

namespace hotplex::supervisor::testing {

AuditRecord Rec(std::string type, std::string tenant = "acme", std::string session = "s1",
                nlohmann::json data = nlohmann::json::object());
// Appends and waits for `done`; returns its status.
hotplex::Status AppendSync(AuditSink& sink, AuditRecord record);
// Runs `sql` on the database file with a separate connection.
void RawSql(const std::string& db_path, const std::string& sql);

}  // namespace hotplex::supervisor::testing
