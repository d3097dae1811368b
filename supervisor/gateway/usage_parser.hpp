// UsageParser: reads a model response body as it streams past and keeps what
// the upstream itself reports about the call (model, token counts, error
// type). The gateway relays bytes first and feeds them here second, so a
// parser never delays the client; it only ever holds a bounded amount.
// Thread-safety: one parser per call, used by one strand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hotplex::gateway {

// The upstream's own account of one model call (authoritative for metering).
struct CallUsage {
  std::string model;
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t cache_read_tokens = 0;
  std::uint64_t cache_creation_tokens = 0;
  std::string error_type;  // the upstream's error.type, empty when none was seen

  std::uint64_t Total() const {
    return input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens;
  }
};

class UsageParser {
 public:
  virtual ~UsageParser() = default;
  virtual void Feed(std::string_view bytes) = 0;
  // Called once after the last byte (a final line without a newline counts).
  virtual CallUsage Finish() = 0;
};

}  // namespace hotplex::gateway
