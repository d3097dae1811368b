// MakeEgressConfig / EgressProxyEnv / BuildSandboxEnv in egress mode.
#include "supervisor/egress/egress_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "policies/policy_spec.hpp"
#include "supervisor/sandbox_env.hpp"

namespace hotplex::supervisor {
namespace {

policies::NetworkSpec EgressNetwork() {
  policies::NetworkSpec n;
  n.mode = policies::NetworkMode::kEgress;
  n.allow_domains = {"*.example.com"};
  n.forwards = {"gateway.internal:8443", "127.0.0.1:9000"};
  return n;
}

SessionPolicy EgressPolicy() {
  SessionPolicy p;
  p.egress = true;
  p.network = sandbox::NetworkMode::kLoopback;
  p.allow_domains = {"*.example.com"};
  p.forwards = {"gateway.internal:8443", "127.0.0.1:9000"};
  return p;
}

TEST(EgressConfig, ForwardsAndProxyPort) {
  auto config = MakeEgressConfig(EgressNetwork());
  ASSERT_TRUE(config) << config.error().Describe();
  EXPECT_EQ(config->proxy_port, policies::kEgressProxyPort);
  ASSERT_EQ(config->forwards.size(), 2u);
  EXPECT_EQ(config->forwards[0].host, "gateway.internal");
  EXPECT_EQ(config->forwards[1].port, 9000);
  EXPECT_TRUE(config->rules.Decide("api.example.com", 443).allowed);
}

TEST(EgressConfig, PortConflictsAreErrors) {
  policies::NetworkSpec p = EgressNetwork();
  p.forwards = {"a.internal:3128"};
  auto on_proxy = MakeEgressConfig(p);
  ASSERT_FALSE(on_proxy);
  EXPECT_NE(on_proxy.error().message.find("3128"), std::string::npos);
  p.forwards = {"a.internal:9000", "b.internal:9000"};
  EXPECT_FALSE(MakeEgressConfig(p));
  p.forwards = {"no-port"};
  EXPECT_FALSE(MakeEgressConfig(p));
}

TEST(EgressConfig, SandboxEnvPointsAtTheProxy) {
  SessionPolicy p = EgressPolicy();
  p.env_set = {{"HTTPS_PROXY", "http://evil:1"}, {"LANG", "C.UTF-8"}};
  const auto env = BuildSandboxEnv(p, {"https_proxy=http://host-proxy:8080"}, "/home/agent");
  auto has = [&](const std::string& var) {
    return std::find(env.begin(), env.end(), var) != env.end();
  };
  EXPECT_TRUE(has("HTTP_PROXY=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("HTTPS_PROXY=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("http_proxy=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("https_proxy=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("NO_PROXY=localhost,127.0.0.1"));
  EXPECT_FALSE(has("HTTPS_PROXY=http://evil:1"));
  EXPECT_TRUE(has("LANG=C.UTF-8"));
}

TEST(EgressConfig, OtherModesGetNoProxyVariables) {
  SessionPolicy p;
  const auto env = BuildSandboxEnv(p, {}, "/home/agent");
  for (const auto& var : env) EXPECT_EQ(var.find("PROXY"), std::string::npos) << var;
}

}  // namespace
}  // namespace hotplex::supervisor
