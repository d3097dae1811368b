#include "supervisor/gateway/anthropic_dialect.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hotplex::gateway {
namespace {

const AnthropicDialect kDialect;

std::variant<CallRequest, Refusal> Post(std::string_view path, std::string_view body,
                                        const CallLimits& limits = {}) {
  return kDialect.Inspect("POST", path, body, limits);
}

TEST(AnthropicDialect, MessagesCallIsMetered) {
  auto result = Post("/v1/messages?beta=true",
                     R"({"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true})");
  ASSERT_TRUE(std::holds_alternative<CallRequest>(result));
  const auto& call = std::get<CallRequest>(result);
  EXPECT_TRUE(call.metered);
  EXPECT_EQ(call.model, "claude-sonnet-4-5");
  EXPECT_EQ(call.max_tokens, 1024u);
  EXPECT_TRUE(call.stream);
}

TEST(AnthropicDialect, Refusals) {
  const CallLimits limits{{"claude-sonnet-4*", "claude-haiku-4-5"}, 4096};
  struct Case {
    std::string method, path, body;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/messages", R"({"model":"claude-opus-4","max_tokens":10})", 400,
       "allowed_models"},
      {"POST", "/v1/messages", R"({"model":"claude-haiku-4-5-x","max_tokens":10})", 400,
       "allowed_models"},
      {"POST", "/v1/messages", R"({"model":"claude-sonnet-4-5","max_tokens":8192})", 400,
       "max_output_tokens 4096"},
      {"POST", "/v1/messages", "not json", 400, "JSON object"},
      {"POST", "/v1/messages", R"({"model":7})", 400, "string 'model'"},
      {"POST", "/v1/messages/count_tokens", R"({"model":"gpt-4"})", 400, "allowed_models"},
      {"GET", "/v1/messages", "", 404, "not a Messages API call"},
      {"POST", "/v1/complete", "{}", 404, "not a Messages API call"},
      {"DELETE", "/v1/models/x", "", 404, "not a Messages API call"},
  };
  for (const auto& c : cases) {
    auto result = kDialect.Inspect(c.method, c.path, c.body, limits);
    ASSERT_TRUE(std::holds_alternative<Refusal>(result)) << c.method << " " << c.path << c.body;
    const auto& refusal = std::get<Refusal>(result);
    EXPECT_EQ(refusal.status, c.status) << c.body;
    EXPECT_NE(refusal.message.find(c.says), std::string::npos) << refusal.message;
  }
}

TEST(AnthropicDialect, AllowedWithinLimits) {
  const CallLimits limits{{"claude-sonnet-4*"}, 4096};
  EXPECT_TRUE(std::holds_alternative<CallRequest>(
      Post("/v1/messages", R"({"model":"claude-sonnet-4-5","max_tokens":4096})", limits)));
  auto count = Post("/v1/messages/count_tokens", R"({"model":"claude-sonnet-4"})", limits);
  ASSERT_TRUE(std::holds_alternative<CallRequest>(count));
  EXPECT_FALSE(std::get<CallRequest>(count).metered);
  EXPECT_TRUE(
      std::holds_alternative<CallRequest>(kDialect.Inspect("GET", "/v1/models", "", limits)));
}

TEST(AnthropicDialect, ErrorBodyHasTheApiShape) {
  const auto body = nlohmann::json::parse(
      kDialect.ErrorBody({429, "rate_limit_error", "model gateway: budget exceeded"}));
  EXPECT_EQ(body["type"], "error");
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_EQ(body["error"]["message"], "model gateway: budget exceeded");
}

}  // namespace
}  // namespace hotplex::gateway
