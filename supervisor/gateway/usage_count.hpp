// One token count from an upstream `usage` object, for both usage parsers
// (streamed SSE and whole JSON bodies): absent, negative or non-integer values
// count as 0, never as an error, because metering must not fail a relayed call.
// Thread-safety: a pure function.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace hotplex::gateway {

inline std::uint64_t UsageCount(const nlohmann::json& usage, const char* key) {
  auto it = usage.find(key);
  if (it == usage.end() || !it->is_number_unsigned()) return 0;
  return it->get<std::uint64_t>();
}

}  // namespace hotplex::gateway
