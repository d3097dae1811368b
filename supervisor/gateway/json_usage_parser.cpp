#include "supervisor/gateway/json_usage_parser.hpp"

#include <nlohmann/json.hpp>

#include "supervisor/gateway/usage_count.hpp"

namespace hotplex::gateway {

using Json = nlohmann::json;

void JsonUsageParser::Feed(std::string_view bytes) {
  if (overflowed_) return;
  if (body_.size() + bytes.size() > max_bytes_) {
    overflowed_ = true;
    body_.clear();
    body_.shrink_to_fit();
    return;
  }
  body_.append(bytes);
}

CallUsage JsonUsageParser::Finish() {
  CallUsage usage;
  const Json doc = Json::parse(body_, nullptr, /*allow_exceptions=*/false);
  body_.clear();
  if (!doc.is_object()) return usage;
  if (doc.contains("model") && doc["model"].is_string())
    usage.model = doc["model"].get<std::string>();
  if (doc.contains("usage") && doc["usage"].is_object()) {
    const Json& u = doc["usage"];
    usage.input_tokens = UsageCount(u, "input_tokens");
    usage.output_tokens = UsageCount(u, "output_tokens");
    usage.cache_read_tokens = UsageCount(u, "cache_read_input_tokens");
    usage.cache_creation_tokens = UsageCount(u, "cache_creation_input_tokens");
  }
  if (doc.contains("error") && doc["error"].is_object()) {
    usage.error_type = doc["error"].value("type", std::string("error"));
  }
  return usage;
}

}  // namespace hotplex::gateway
