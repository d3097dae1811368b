// ParseProxyRequest: what the egress proxy accepts from a sandbox, and the
// status it answers for everything else.
#include "supervisor/egress/egress_request.hpp"

#include <gtest/gtest.h>

namespace hotplex::supervisor {
namespace {

using namespace std::string_literals;

TEST(EgressRequest, ConnectNamesHostAndPort) {
  auto parsed = ParseProxyRequest("CONNECT api.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  const auto& req = std::get<ProxyRequest>(parsed);
  EXPECT_TRUE(req.connect);
  EXPECT_EQ(req.target.host.name, "api.example.com");
  EXPECT_EQ(req.target.port, 443);
}

TEST(EgressRequest, ConnectToIpv6Literal) {
  auto parsed = ParseProxyRequest("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  EXPECT_EQ(std::get<ProxyRequest>(parsed).target.host.name, "::1");
  EXPECT_EQ(std::get<ProxyRequest>(parsed).target.Authority(), "[::1]:8443");
}

TEST(EgressRequest, PlainHttpIsRewrittenToOriginForm) {
  auto parsed = ParseProxyRequest(
      "GET http://Example.com:8080/a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n"
      "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
      "Connection: keep-alive\r\nAccept: */*\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  const auto& req = std::get<ProxyRequest>(parsed);
  EXPECT_FALSE(req.connect);
  EXPECT_EQ(req.target.host.name, "example.com");
  EXPECT_EQ(req.target.port, 8080);
  EXPECT_EQ(req.upstream_head,
            "GET /a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(req.body_bytes, 0u);
}

TEST(EgressRequest, PlainHttpDefaultsToPort80AndRootPath) {
  auto parsed = ParseProxyRequest("HEAD http://example.com HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  const auto& req = std::get<ProxyRequest>(parsed);
  EXPECT_EQ(req.target.port, 80);
  EXPECT_EQ(req.upstream_head, "HEAD / HTTP/1.0\r\nHost: example.com\r\nConnection: close\r\n\r\n");
}

// Domain fronting: the upstream sees the decided host, never the client's Host.
TEST(EgressRequest, HostHeaderIsRewrittenToTheDecidedTarget) {
  auto parsed = ParseProxyRequest(
      "GET http://A.Example.Test./x HTTP/1.1\r\nHost: evil.example.org\r\nhOsT: evil2\r\n"
      "Upgrade: h2c\r\nTE: trailers\r\nKeep-Alive: 5\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  EXPECT_EQ(std::get<ProxyRequest>(parsed).upstream_head,
            "GET /x HTTP/1.1\r\nHost: a.example.test\r\nConnection: close\r\n\r\n");
}

TEST(EgressRequest, IpLiteralTargetsKeepTheirPortInHost) {
  auto parsed = ParseProxyRequest("GET http://[::1]:8080 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  EXPECT_EQ(std::get<ProxyRequest>(parsed).upstream_head,
            "GET / HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n");
}

TEST(EgressRequest, ContentLengthBoundsTheForwardedBody) {
  auto parsed =
      ParseProxyRequest("POST http://a.example.test/p HTTP/1.1\r\nContent-Length: 12\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<ProxyRequest>(parsed));
  EXPECT_EQ(std::get<ProxyRequest>(parsed).body_bytes, 12u);
}

TEST(EgressRequest, RefusalsCarryTheEscapedHostForTheAudit) {
  auto parsed = ParseProxyRequest("CONNECT localhost\0.example.test:8080 HTTP/1.1\r\n\r\n"s);
  ASSERT_TRUE(std::holds_alternative<ProxyError>(parsed));
  EXPECT_EQ(std::get<ProxyError>(parsed).host, "localhost\\x00.example.test:8080");
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
        BadCase{"https absolute", "GET https://example.com/ HTTP/1.1\r\n\r\n", 400, "use CONNECT"},
        BadCase{"nul get", "GET http://localhost\0.example.test:8080/ HTTP/1.1\r\n\r\n"s, 400,
                "control byte (0x00)"},
        BadCase{"nul connect", "CONNECT localhost\0.example.test:8080 HTTP/1.1\r\n\r\n"s, 400,
                "control byte (0x00)"},
        BadCase{"percent nul", "GET http://localhost%00.example.test/ HTTP/1.1\r\n\r\n", 400,
                "percent-encoding"},
        BadCase{"userinfo get", "GET http://a.example.test@evil.org/ HTTP/1.1\r\n\r\n", 400,
                "userinfo"},
        BadCase{"fragment trick", "GET http://a.example.test#@evil/ HTTP/1.1\r\n\r\n", 400,
                "malformed host"},
        BadCase{"empty label", "CONNECT a..example.test:443 HTTP/1.1\r\n\r\n", 400, "empty label"},
        BadCase{"numeric name", "CONNECT 2130706433:443 HTTP/1.1\r\n\r\n", 400, "dotted-quad"},
        BadCase{"connect url", "CONNECT http://a.example.test:443 HTTP/1.1\r\n\r\n", 400,
                "CONNECT needs host:port"},
        BadCase{"connect plus port", "CONNECT a.example.test:+443 HTTP/1.1\r\n\r\n", 400,
                "1 to 65535"},
        BadCase{"get port 0", "GET http://a.example.test:0/ HTTP/1.1\r\n\r\n", 400, "1 to 65535"},
        BadCase{"version 1.2", "GET http://a/ HTTP/1.2\r\n\r\n", 400, "malformed request line"},
        BadCase{"bad method", "GE(T http://a/ HTTP/1.1\r\n\r\n", 400, "malformed request line"},
        BadCase{"control in path", "GET http://a.example.test/\x01x HTTP/1.1\r\n\r\n", 400,
                "request path"},
        BadCase{"non-ascii path", "GET http://a.example.test/\xc3\xa9 HTTP/1.1\r\n\r\n", 400,
                "request path"},
        BadCase{"bare lf header", "GET http://a.example.test/ HTTP/1.1\r\nX: a\nHost: evil\r\n\r\n",
                400, "malformed header line 2"},
        BadCase{"nul header", "GET http://a.example.test/ HTTP/1.1\r\nX: a\0b\r\n\r\n"s, 400,
                "malformed header line 2"},
        BadCase{"folded header", "GET http://a.example.test/ HTTP/1.1\r\nX: a\r\n Host: e\r\n\r\n",
                400, "malformed header line 3"},
        BadCase{"space before colon", "GET http://a.example.test/ HTTP/1.1\r\nHost : e\r\n\r\n",
                400, "malformed header line 2"},
        BadCase{"chunked",
                "POST http://a.example.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
                "Transfer-Encoding"},
        BadCase{"two lengths",
                "POST http://a.example.test/ HTTP/1.1\r\nContent-Length: 1\r\n"
                "Content-Length: 2\r\n\r\n",
                400, "one Content-Length"},
        BadCase{"signed length",
                "POST http://a.example.test/ HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400,
                "one Content-Length"},
        BadCase{"long line",
                "GET http://a.example.test/" + std::string(5000, 'x') + " HTTP/1.1\r\n\r\n", 414,
                "longer than 4096"}));

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
