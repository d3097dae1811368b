// AnthropicDialect: the Anthropic Messages API as the gateway sees it.
// Passes POST /v1/messages (metered: model allow-list, max_tokens limit,
// usage from the SSE stream or the JSON body), POST /v1/messages/count_tokens
// (model allow-list only), GET /v1/models[/...] and the CLI's HEAD|GET
// /api/hello probe; anything else is refused with a 404 in the API's error
// shape ({"type":"error","error":{"type":...,"message":...}}), so the real key
// is only ever spent on model calls. The credential goes in `x-api-key`.
// Thread-safety: immutable.
#pragma once

#include "supervisor/gateway/model_dialect.hpp"

namespace hotplex::gateway {

class AnthropicDialect final : public ModelDialect {
 public:
  std::string_view Name() const override { return "anthropic"; }
  std::variant<CallRequest, Refusal> Inspect(std::string_view method, std::string_view path,
                                             std::string_view body,
                                             const CallLimits& limits) const override;
  std::string_view CredentialHeader() const override { return "x-api-key"; }
  std::string CredentialValue(std::string_view credential) const override {
    return std::string(credential);
  }
  std::string ErrorBody(const Refusal& refusal) const override;
  std::unique_ptr<UsageParser> NewUsageParser(std::string_view content_type) const override;
};

}  // namespace hotplex::gateway
