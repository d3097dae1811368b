#include "supervisor/gateway/sandbox_attach.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/io_context.hpp>

#include "supervisor/gateway/anthropic_dialect.hpp"

namespace hotplex::gateway {
namespace {

constexpr const char* kRealKey = "sk-ant-the-daemons-own-key";

std::shared_ptr<SessionEndpoint> Endpoint(boost::asio::io_context& io) {
  GatewayConfig config;
  config.upstream = *ParseUpstreamUrl("http://127.0.0.1:9");
  config.credential = kRealKey;
  config.port = 3180;
  auto gateway = ModelGateway::Create(io, config, std::make_unique<AnthropicDialect>(), {});
  return *(*gateway)->Open(SessionGrant{"s", "t", {}, {}});
}

TEST(SandboxAttach, TokenReplacesEveryCredentialInTheEnvironment) {
  boost::asio::io_context io;
  auto endpoint = Endpoint(io);
  sandbox::SandboxSpec spec;
  spec.env = {"PATH=/usr/bin", std::string("ANTHROPIC_API_KEY=") + kRealKey,
              "ANTHROPIC_BASE_URL=https://api.anthropic.com", "ANTHROPIC_AUTH_TOKEN=x",
              std::string("COPY_OF_KEY=") + kRealKey + "-suffix"};
  ASSERT_TRUE(AttachToSandbox(endpoint, spec));
  const std::vector<std::string> expected = {"PATH=/usr/bin",
                                             "ANTHROPIC_BASE_URL=http://127.0.0.1:3180",
                                             "ANTHROPIC_API_KEY=" + endpoint->Token()};
  EXPECT_EQ(spec.env, expected);
  for (const auto& entry : spec.env) EXPECT_EQ(entry.find(kRealKey), std::string::npos) << entry;
  EXPECT_TRUE(spec.network_ready);
}

TEST(SandboxAttach, ChainsAfterTheExistingHookAndStopsOnItsError) {
  boost::asio::io_context io;
  auto endpoint = Endpoint(io);
  sandbox::SandboxSpec spec;
  int calls = 0;
  spec.network_ready = [&calls](pid_t) -> Status {
    ++calls;
    return MakeError("egress listener failed");
  };
  ASSERT_TRUE(AttachToSandbox(endpoint, spec));
  auto status = spec.network_ready(1);
  EXPECT_EQ(calls, 1);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "egress listener failed");
}

TEST(SandboxAttach, HostNetworkIsRefused) {
  boost::asio::io_context io;
  auto endpoint = Endpoint(io);
  sandbox::SandboxSpec spec;
  spec.network = sandbox::NetworkMode::kHost;
  auto status = AttachToSandbox(endpoint, spec);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("model_gateway.enabled"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::gateway
