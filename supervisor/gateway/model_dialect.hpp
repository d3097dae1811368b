// ModelDialect: what the gateway needs to know about one upstream API family.
// The gateway itself is HTTP plumbing (listen, authenticate the session token,
// relay); everything that depends on the API's shape sits behind this
// interface: which paths may pass, how a request names its model and output
// limit, where the real credential goes, how usage is reported and what an
// error body looks like to the agent CLI. AnthropicDialect (Messages API) is
// the one built; an OpenAI-compatible dialect (Chat Completions / Responses:
// `Authorization: Bearer`, `model`, `max_tokens`/`max_output_tokens`, usage in
// the last chunk) is a second implementation of the same interface.
// Thread-safety: implementations are immutable after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "supervisor/gateway/usage_parser.hpp"

namespace hotplex::gateway {

// The policy's limits on one call (policies' model_gateway section, compiled).
struct CallLimits {
  // Exact model names, or a prefix ending in '*' ("claude-sonnet-4*"). Empty: any model.
  std::vector<std::string> allowed_models;
  std::uint64_t max_output_tokens = 0;  // 0: no limit
};

// What a request that may pass asks for.
struct CallRequest {
  bool metered = false;  // a model call (usage is read, budgets apply)
  std::string model;
  std::uint64_t max_tokens = 0;
  bool stream = false;
};

// A refusal, answered to the agent in the dialect's error shape.
struct Refusal {
  int status = 400;
  std::string type;  // e.g. "invalid_request_error", "rate_limit_error"
  std::string message;
};

bool ModelAllowed(const std::vector<std::string>& allowed, std::string_view model);

class ModelDialect {
 public:
  virtual ~ModelDialect() = default;
  virtual std::string_view Name() const = 0;
  // Decides whether `method path` with `body` may reach the upstream.
  virtual std::variant<CallRequest, Refusal> Inspect(std::string_view method, std::string_view path,
                                                     std::string_view body,
                                                     const CallLimits& limits) const = 0;
  // The header that carries the real credential upstream, and its value.
  virtual std::string_view CredentialHeader() const = 0;
  virtual std::string CredentialValue(std::string_view credential) const = 0;
  virtual std::string ErrorBody(const Refusal& refusal) const = 0;
  // A parser for a response body of `content_type`.
  virtual std::unique_ptr<UsageParser> NewUsageParser(std::string_view content_type) const = 0;
};

}  // namespace hotplex::gateway
