#include <gtest/gtest.h>

#include "supervisor/gateway/gateway_config.hpp"

namespace hotplex::gateway {
namespace {

TEST(UpstreamUrl, Accepted) {
  auto a = ParseUpstreamUrl("https://api.anthropic.com");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "api.anthropic.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->base_path, "");
  EXPECT_EQ(a->HostHeader(), "api.anthropic.com");
  auto b = ParseUpstreamUrl("http://127.0.0.1:8080/proxy/");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, 8080);
  EXPECT_EQ(b->base_path, "/proxy");
  EXPECT_EQ(b->HostHeader(), "127.0.0.1:8080");
}

TEST(UpstreamUrl, RefusedWithTheReason) {
  struct Case {
    const char* url;
    const char* says;
  };
  for (const Case& c : {Case{"api.anthropic.com", "https://"}, Case{"ftp://x", "https://"},
                        Case{"https://", "no host"}, Case{"https://u:p@x.test", "userinfo"},
                        Case{"https://x.test:0", "port"}, Case{"https://x.test:65536", "port"},
                        Case{"https://x.test:44a", "port"}, Case{"https://x.test/?a=1", "query"},
                        Case{"https://[::1]:443", "IPv6"}}) {
    auto parsed = ParseUpstreamUrl(c.url);
    ASSERT_FALSE(parsed) << c.url;
    EXPECT_NE(parsed.error().message.find(c.says), std::string::npos)
        << c.url << ": " << parsed.error().message;
  }
}

}  // namespace
}  // namespace hotplex::gateway
