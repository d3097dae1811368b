// Every route's errors over real sockets: JSON bodies, 400/401/404/405/413.
#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {
namespace {

class ApiRoutes : public ApiFixture {};

void ExpectJsonError(const HttpResult& res, int status, const std::string& code) {
  EXPECT_EQ(res.status, status) << res.body.dump();
  ASSERT_TRUE(res.body.is_object()) << "error bodies are JSON";
  EXPECT_EQ(res.body["error"]["code"], code) << res.body.dump();
  EXPECT_TRUE(res.body["error"]["message"].is_string());
}

TEST_F(ApiRoutes, UnknownRouteIs404) {
  for (const char* path : {"/", "/v1", "/v1/session", "/v1/sessions/x/y", "/v2/sessions",
                           "/v1/sessions//messages", "/ws/v1/agent/x"}) {
    ExpectJsonError(Call("GET", path), 404, "not_found");
  }
}

TEST_F(ApiRoutes, WrongMethodIs405WithAllow) {
  auto res = Call("DELETE", "/v1/sessions");
  ExpectJsonError(res, 405, "method_not_allowed");
  EXPECT_EQ(res.headers.find("Allow")->second, "GET, POST");
  res = Call("GET", "/v1/sessions/abc/messages");
  ExpectJsonError(res, 405, "method_not_allowed");
  EXPECT_EQ(res.headers.find("Allow")->second, "POST");
  ExpectJsonError(Call("PUT", "/v1/sessions/abc"), 405, "method_not_allowed");
  ExpectJsonError(Call("POST", "/v1/sessions/abc/events"), 405, "method_not_allowed");
}

TEST_F(ApiRoutes, MissingOrWrongKeyIs401) {
  ExpectJsonError(Call("GET", "/v1/sessions", "", ""), 401, "unauthorized");
  ExpectJsonError(Call("GET", "/v1/sessions", "", "not-a-key"), 401, "unauthorized");
  ExpectJsonError(Call("POST", "/v1/sessions", "{}", "key-tenant-"), 401, "unauthorized");
  httplib::Client client("127.0.0.1", daemon_->ApiPort());
  auto res = client.Get("/v1/sessions", {{"Authorization", "Basic a2V5LXRlbmFudC1hOg=="}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(ApiRoutes, BadJsonIs400) {
  for (const char* body :
       {"", "{", "[]", "\"text\"", "{\"provider\":\"bogus\"}",
        "{\"provider\":\"exec\",\"argv\":\"cat\"}", "{\"unknown\":1}", "{\"key\":5}"}) {
    ExpectJsonError(Call("POST", "/v1/sessions", body), 400, "bad_request");
  }
}

TEST_F(ApiRoutes, BodyOverTheLimitIs413) {
  const std::string big = "{\"text\":\"" + std::string(config_.http.body_limit + 10, 'x') + "\"}";
  ExpectJsonError(Call("POST", "/v1/sessions", big), 413, "payload_too_large");
}

TEST_F(ApiRoutes, HealthAndReadinessOnTheAdminPortOnly) {
  const int admin = daemon_->AdminPort();
  auto health = Call("GET", "/healthz", "", "", admin);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body["status"], "ok");
  auto ready = Call("GET", "/readyz", "", "", admin);
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body["status"], "ready");
  ExpectJsonError(Call("GET", "/v1/sessions", "", kKeyA, admin), 404, "not_found");
  ExpectJsonError(Call("GET", "/healthz"), 404, "not_found");
  ExpectJsonError(Call("POST", "/readyz", "", "", admin), 405, "method_not_allowed");
}

TEST_F(ApiRoutes, WebSocketRouteWithoutUpgradeIs400AndWithoutKey401) {
  ExpectJsonError(Call("GET", "/ws/v1/agent"), 400, "bad_request");
  ExpectJsonError(Call("GET", "/ws/v1/agent", "", ""), 401, "unauthorized");
}

}  // namespace
}  // namespace hotplex::testing
