#include "supervisor/gateway/sse_usage_parser.hpp"

#include <nlohmann/json.hpp>

#include "supervisor/gateway/usage_count.hpp"

namespace hotplex::gateway {
namespace {

using Json = nlohmann::json;

void ReadUsage(const Json& usage, CallUsage& out, bool start) {
  if (!usage.is_object()) return;
  if (start) {
    out.input_tokens = UsageCount(usage, "input_tokens");
    out.cache_read_tokens = UsageCount(usage, "cache_read_input_tokens");
    out.cache_creation_tokens = UsageCount(usage, "cache_creation_input_tokens");
  }
  // message_delta's output_tokens is cumulative; message_start carries the first count.
  if (usage.contains("output_tokens")) out.output_tokens = UsageCount(usage, "output_tokens");
}

void ReadEvent(const Json& event, CallUsage& out) {
  const std::string type = event.value("type", std::string());
  if (type == "message_start" && event.contains("message") && event["message"].is_object()) {
    const Json& message = event["message"];
    if (message.contains("model") && message["model"].is_string()) {
      out.model = message["model"].get<std::string>();
    }
    if (message.contains("usage")) ReadUsage(message["usage"], out, true);
  } else if (type == "message_delta" && event.contains("usage")) {
    ReadUsage(event["usage"], out, false);
  } else if (type == "error" && event.contains("error") && event["error"].is_object()) {
    out.error_type = event["error"].value("type", std::string("error"));
  }
}

}  // namespace

void SseUsageParser::Feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto nl = bytes.find('\n');
    const std::string_view part = bytes.substr(0, nl);
    if (!skipping_) {
      if (line_.size() + part.size() > max_line_bytes_) {
        skipping_ = true;
        ++oversized_lines_;
        line_.clear();
      } else {
        line_.append(part);
      }
    }
    if (nl == std::string_view::npos) return;
    if (!skipping_) OnLine(line_);
    skipping_ = false;
    line_.clear();
    bytes.remove_prefix(nl + 1);
  }
}

CallUsage SseUsageParser::Finish() {
  if (!skipping_ && !line_.empty()) OnLine(line_);
  line_.clear();
  skipping_ = false;
  return usage_;
}

void SseUsageParser::OnLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  constexpr std::string_view kData = "data:";
  if (line.substr(0, kData.size()) != kData) return;
  line.remove_prefix(kData.size());
  // Only these events carry what is metered; content deltas are not parsed.
  if (line.find("\"message_start\"") == std::string_view::npos &&
      line.find("\"message_delta\"") == std::string_view::npos &&
      line.find("\"error\"") == std::string_view::npos) {
    return;
  }
  const Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (event.is_object()) ReadEvent(event, usage_);
}

}  // namespace hotplex::gateway
