#include "supervisor/audit/audit_chain.hpp"

#include "common/json_text.hpp"
#include "supervisor/audit/audit_key.hpp"
#include "supervisor/audit/sha256.hpp"

namespace hotplex::supervisor {
using nlohmann::json;

namespace {

std::string Quote(std::string_view s) { return CanonicalJson(json(std::string(s))); }

}  // namespace

std::string CanonicalJson(const json& value) {
  // The client encoding is already canonical: nlohmann::json keeps object keys
  // in a std::map (sorted), and DumpJson is compact with invalid UTF-8 replaced.
  return DumpJson(value);
}

std::string AuditCanonicalForm(const AuditRow& row) {
  std::string out = "[";
  out += Quote(row.prev_hash) + ",";
  out += std::to_string(row.seq) + "," + std::to_string(row.ts_ms) + ",";
  out += Quote(row.type) + "," + Quote(row.tenant) + "," + Quote(row.session) + ",";
  out += Quote(row.actor) + ",";
  out += row.data;
  out += "]";
  return out;
}

std::string AuditRowHash(const AuditRow& row) { return Sha256Hex(AuditCanonicalForm(row)); }

std::string AuditRowMac(const AuditRow& row, const AuditKey& key) {
  return key.Mac(AuditCanonicalForm(row));
}

AuditEntry AuditRowToEntry(const AuditRow& row) {
  AuditEntry e;
  e.seq = row.seq;
  e.ts_ms = row.ts_ms;
  e.record.type = row.type;
  e.record.tenant = row.tenant;
  e.record.session = row.session;
  e.record.actor = row.actor;
  e.record.data = json::parse(row.data, nullptr, false);
  if (e.record.data.is_discarded()) e.record.data = json::object();
  e.prev_hash = row.prev_hash;
  e.hash = row.hash;
  return e;
}

json AuditEntryToJson(const AuditEntry& entry) {
  return {{"seq", entry.seq},
          {"ts", FormatTimestamp(std::chrono::system_clock::time_point(
                     std::chrono::milliseconds(entry.ts_ms)))},
          {"ts_ms", entry.ts_ms},
          {"type", entry.record.type},
          {"tenant", entry.record.tenant},
          {"session", entry.record.session},
          {"actor", entry.record.actor},
          {"data", entry.record.data},
          {"prev_hash", entry.prev_hash},
          {"hash", entry.hash}};
}

}  // namespace hotplex::supervisor
