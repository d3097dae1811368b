// JSON text as HotPlex writes it everywhere (clients, transcripts, the audit
// chain): compact, with invalid UTF-8 from an agent replaced rather than fatal,
// and timestamps in one format.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace hotplex {

// Compact, invalid UTF-8 replaced. Object keys come out sorted (nlohmann::json
// keeps them in a std::map), which makes the text canonical.
std::string DumpJson(const nlohmann::json& j);
// RFC 3339 UTC with milliseconds: 2026-11-22T01:51:11.957Z.
std::string FormatTimestamp(std::chrono::system_clock::time_point tp);

}  // namespace hotplex
