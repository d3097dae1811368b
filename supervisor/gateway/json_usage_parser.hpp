// JsonUsageParser: usage from a non-streamed Messages API response
// ({"model":..., "usage":{...}} or {"type":"error","error":{"type":...}}).
// Keeps at most max_bytes of the body; a longer body is relayed in full but
// not metered (counted as an unparsed body, usage stays zero).
// Thread-safety: none (one call, one strand).
#pragma once

#include <cstddef>
#include <string>

#include "supervisor/gateway/usage_parser.hpp"

namespace hotplex::gateway {

class JsonUsageParser final : public UsageParser {
 public:
  static constexpr std::size_t kDefaultMaxBytes = 4 * 1024 * 1024;
  explicit JsonUsageParser(std::size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}

  void Feed(std::string_view bytes) override;
  CallUsage Finish() override;
  bool Overflowed() const { return overflowed_; }

 private:
  std::size_t max_bytes_;
  std::string body_;
  bool overflowed_ = false;
};

}  // namespace hotplex::gateway
