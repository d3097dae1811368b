// SseUsageParser: the Anthropic Messages API's `text/event-stream` response,
// read line by line for `usage`: message_start.message.{model, usage.input_tokens,
// usage.cache_read_input_tokens, usage.cache_creation_input_tokens} and
// message_delta.usage.output_tokens (cumulative, so the last one wins), and
// `error` events. Lines may arrive split across any number of Feed() calls;
// a line longer than max_line_bytes is skipped up to its newline and counted
// (usage lines are a few hundred bytes; only content deltas get long).
// Thread-safety: none (one call, one strand).
#pragma once

#include <cstddef>
#include <string>

#include "supervisor/gateway/usage_parser.hpp"

namespace hotplex::gateway {

class SseUsageParser final : public UsageParser {
 public:
  static constexpr std::size_t kDefaultMaxLineBytes = 256 * 1024;
  explicit SseUsageParser(std::size_t max_line_bytes = kDefaultMaxLineBytes)
      : max_line_bytes_(max_line_bytes) {}

  void Feed(std::string_view bytes) override;
  CallUsage Finish() override;
  std::size_t OversizedLines() const { return oversized_lines_; }

 private:
  void OnLine(std::string_view line);

  std::size_t max_line_bytes_;
  std::string line_;
  bool skipping_ = false;  // inside an oversized line, until its newline
  std::size_t oversized_lines_ = 0;
  CallUsage usage_;
};

}  // namespace hotplex::gateway
