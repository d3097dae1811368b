// ParseProxyRequest: what the egress proxy accepts from a sandbox, and the
// status it answers for everything else.
#include "supervisor/egress_request.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

TEST(EgressRequest, ConnectNamesHostAndPort) {
  auto parsed = ParseProxyRequest("CONNECT api.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  const auto& req = std::get<ProxyRequest>(parsed);
  EXPECT_TRUE(req.connect);
  EXPECT_EQ(req.host, "api.example.com");
  EXPECT_EQ(req.port, 443);
}

TEST(EgressRequest, ConnectToIpv6Literal) {
  auto parsed = ParseProxyRequest("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  EXPECT_EQ(std::get<ProxyRequest>(parsed).host, "[::1]");
  EXPECT_EQ(std::get<ProxyRequest>(parsed).port, 8443);
}

TEST(EgressRequest, PlainHttpIsRewrittenToOriginForm) {
  auto parsed = ParseProxyRequest(
      "GET http://Example.com:8080/a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n"
      "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
      "Connection: keep-alive\r\nAccept: */*\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  const auto& req = std::get<ProxyRequest>(parsed);
  EXPECT_FALSE(req.connect);
  EXPECT_EQ(req.host, "Example.com");
  EXPECT_EQ(req.port, 8080);
  EXPECT_EQ(req.upstream_head,
            "GET /a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n");
}

TEST(EgressRequest, PlainHttpDefaultsToPort80AndRootPath) {
  auto parsed = ParseProxyRequest("HEAD http://example.com HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  const auto& req = std::get<ProxyRequest>(parsed);
  EXPECT_EQ(req.port, 80);
  EXPECT_EQ(req.upstream_head, "HEAD / HTTP/1.0\r\nConnection: close\r\n\r\n");
}

struct BadCase {
  const char* name;
  std::string head;
  int status;
  const char* body_part;
};

class EgressRequestBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(EgressRequestBad, IsRefusedWithAnExplanation) {
  const BadCase& c = GetParam();
  auto parsed = ParseProxyRequest(c.head);
  ASSERT_TRUE(std::holds_alternative<ProxyError>(parsed)) << c.name;
  const auto& error = std::get<ProxyError>(parsed);
  EXPECT_EQ(error.status, c.status) << c.name;
  EXPECT_NE(error.body.find(c.body_part), std::string::npos) << c.name << ": " << error.body;
  EXPECT_EQ(error.body.rfind("hotplex egress: ", 0), 0u) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    EgressRequest, EgressRequestBad,
    ::testing::Values(
        BadCase{"oversized", "GET http://a/ HTTP/1.1\r\nX: " + std::string(9000, 'x') + "\r\n\r\n",
                431, "larger than 8192"},
        BadCase{"empty", "\r\n\r\n", 400, "empty request"},
        BadCase{"two words", "CONNECT example.com:443\r\n\r\n", 400, "malformed request line"},
        BadCase{"four words", "GET http://a/ b HTTP/1.1\r\n\r\n", 400, "malformed request line"},
        BadCase{"not http", "GET http://a/ SPDY/3\r\n\r\n", 400, "malformed request line"},
        BadCase{"connect without port", "CONNECT example.com HTTP/1.1\r\n\r\n", 400,
                "CONNECT needs host:port"},
        BadCase{"connect port 0", "CONNECT example.com:0 HTTP/1.1\r\n\r\n", 400,
                "CONNECT needs host:port"},
        BadCase{"connect bad port", "CONNECT example.com:99999 HTTP/1.1\r\n\r\n", 400,
                "CONNECT needs host:port"},
        BadCase{"connect userinfo", "CONNECT u@example.com:443 HTTP/1.1\r\n\r\n", 400,
                "CONNECT needs host:port"},
        BadCase{"missing host", "GET http:///path HTTP/1.1\r\n\r\n", 400, "malformed host"},
        BadCase{"origin form", "GET /path HTTP/1.1\r\nHost: example.com\r\n\r\n", 400,
                "this is a proxy"},
        BadCase{"https absolute", "GET https://example.com/ HTTP/1.1\r\n\r\n", 400,
                "use CONNECT"}));

TEST(EgressRequest, FindHeadEnd) {
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n"), 0u);
  EXPECT_EQ(FindHeadEnd("A\r\n\r\nbody"), 5u);
}

TEST(EgressRequest, ResponseHasLengthAndCloses) {
  EXPECT_EQ(ProxyResponse(403, "Forbidden", "no"),
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\nConnection: close\r\n\r\nno\n");
}

}  // namespace
}  // namespace hotplex::supervisor
