// The audit hash chain: the canonical form of an entry and its SHA-256.
//
//   canonical = ["<prev_hash>",<seq>,<ts_ms>,"<type>","<tenant>","<session>","<actor>",<data>]
//   hash      = lowercase hex HMAC-SHA-256 under the audit key (audit_key.hpp) of the
//               UTF-8 bytes of `canonical`, for records from `keyed_from` on; plain
//               SHA-256 for the legacy records an older daemon wrote before that
//
// Strings are JSON-quoted (nlohmann's escaping), numbers are decimal, `data`
// is the canonical JSON of the record's data exactly as stored in the `data`
// column (compact, keys sorted). supervisor/audit/AUDIT.md shows how to recompute a
// hash by hand with sqlite3 and sha256sum. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "supervisor/audit/audit.hpp"

namespace hotplex::supervisor {

// Compact, keys sorted, invalid UTF-8 replaced: the text stored and hashed.
std::string CanonicalJson(const nlohmann::json& value);

// The columns of one stored row, as text (what Verify recomputes from).
struct AuditRow {
  std::int64_t seq = 0;
  std::int64_t ts_ms = 0;
  std::string type;
  std::string tenant;
  std::string session;
  std::string actor;
  std::string data;  // canonical JSON text
  std::string prev_hash;
  std::string hash;
};

std::string AuditCanonicalForm(const AuditRow& row);
std::string AuditRowHash(const AuditRow& row);  // legacy: SHA-256 over prev_hash + content
class AuditKey;
std::string AuditRowMac(const AuditRow& row, const AuditKey& key);  // keyed: HMAC-SHA-256
AuditEntry AuditRowToEntry(const AuditRow& row);

}  // namespace hotplex::supervisor
