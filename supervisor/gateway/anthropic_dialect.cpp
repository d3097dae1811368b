#include "supervisor/gateway/anthropic_dialect.hpp"

#include <nlohmann/json.hpp>

#include "supervisor/gateway/json_usage_parser.hpp"
#include "supervisor/gateway/sse_usage_parser.hpp"

namespace hotplex::gateway {
namespace {

using Json = nlohmann::json;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view PathOnly(std::string_view target) { return target.substr(0, target.find('?')); }

std::string JoinModels(const std::vector<std::string>& models) {
  std::string out;
  for (const auto& m : models) out += (out.empty() ? "" : ", ") + m;
  return out;
}

// The body of a Messages call: model and max_tokens, checked against the limits.
std::variant<CallRequest, Refusal> InspectMessages(std::string_view body, const CallLimits& limits,
                                                   bool metered) {
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("model") || !doc["model"].is_string()) {
    return Refusal{400, "invalid_request_error",
                   "model gateway: the request body must be a JSON object with a string 'model'"};
  }
  CallRequest call{metered, doc["model"].get<std::string>(), 0, false};
  if (doc.contains("max_tokens") && doc["max_tokens"].is_number_unsigned()) {
    call.max_tokens = doc["max_tokens"].get<std::uint64_t>();
  }
  call.stream = doc.value("stream", false);
  if (!ModelAllowed(limits.allowed_models, call.model)) {
    return Refusal{400, "invalid_request_error",
                   "model gateway: model '" + call.model +
                       "' is not in this session's policy model_gateway.allowed_models (" +
                       JoinModels(limits.allowed_models) + "); pick one of those models"};
  }
  if (metered && limits.max_output_tokens != 0 && call.max_tokens > limits.max_output_tokens) {
    return Refusal{400, "invalid_request_error",
                   "model gateway: max_tokens " + std::to_string(call.max_tokens) +
                       " is over this session's policy model_gateway.max_output_tokens " +
                       std::to_string(limits.max_output_tokens) +
                       " (set CLAUDE_CODE_MAX_OUTPUT_TOKENS at or below it)"};
  }
  return call;
}

}  // namespace

bool ModelAllowed(const std::vector<std::string>& allowed, std::string_view model) {
  if (allowed.empty()) return true;
  for (const auto& pattern : allowed) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (StartsWith(model, std::string_view(pattern).substr(0, pattern.size() - 1))) return true;
    } else if (model == pattern) {
      return true;
    }
  }
  return false;
}

std::variant<CallRequest, Refusal> AnthropicDialect::Inspect(std::string_view method,
                                                             std::string_view target,
                                                             std::string_view body,
                                                             const CallLimits& limits) const {
  const std::string_view path = PathOnly(target);
  if (method == "POST" && path == "/v1/messages") return InspectMessages(body, limits, true);
  if (method == "POST" && path == "/v1/messages/count_tokens") {
    return InspectMessages(body, limits, false);
  }
  if (method == "GET" && (path == "/v1/models" || StartsWith(path, "/v1/models/"))) {
    return CallRequest{};
  }
  if ((method == "GET" || method == "HEAD") && path == "/api/hello") return CallRequest{};
  return Refusal{404, "not_found_error",
                 "model gateway: " + std::string(method) + " " + std::string(path.substr(0, 256)) +
                     " is not a Messages API call; the gateway passes only /v1/messages, "
                     "/v1/messages/count_tokens and /v1/models"};
}

std::string AnthropicDialect::ErrorBody(const Refusal& refusal) const {
  Json body = {{"type", "error"},
               {"error", {{"type", refusal.type}, {"message", refusal.message}}}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::unique_ptr<UsageParser> AnthropicDialect::NewUsageParser(std::string_view content_type) const {
  if (StartsWith(content_type, "text/event-stream")) return std::make_unique<SseUsageParser>();
  return std::make_unique<JsonUsageParser>();
}

}  // namespace hotplex::gateway
