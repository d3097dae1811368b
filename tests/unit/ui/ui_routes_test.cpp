// UiResponse: which targets it answers, the files' types, the security headers,
// revalidation, and the errors; FindUiAsset: every shipped file is embedded whole.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/ui_assets.hpp"
#include "api/ui_routes.hpp"

namespace hotplex::api {
namespace {

using ::testing::HasSubstr;

HttpRequest Get(std::string target, http::verb verb = http::verb::get) {
  HttpRequest req{verb, target, 11};
  req.keep_alive(true);
  return req;
}

std::string SourceFile(const std::string& name) {
  std::ifstream in(std::string(HOTPLEX_SOURCE_DIR) + "/api/ui/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(UiRoutes, OtherTargetsAreNotOurs) {
  for (const char* target : {"/", "/healthz", "/admin/v1/sessions", "/uix", "/ui-x/app.js"}) {
    EXPECT_FALSE(UiResponse(Get(target))) << target;
  }
}

TEST(UiRoutes, IndexAndFilesWithTheirTypes) {
  const std::pair<const char*, const char*> cases[] = {
      {"/ui/", "text/html; charset=utf-8"},
      {"/ui/index.html", "text/html; charset=utf-8"},
      {"/ui/app.js", "text/javascript; charset=utf-8"},
      {"/ui/session_page.js?v=1", "text/javascript; charset=utf-8"},
      {"/ui/style.css", "text/css; charset=utf-8"},
  };
  for (auto [target, type] : cases) {
    auto res = UiResponse(Get(target));
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->result(), http::status::ok) << target;
    EXPECT_EQ((*res)[http::field::content_type], type) << target;
    EXPECT_EQ((*res)[http::field::cache_control], "no-cache");
    EXPECT_FALSE((*res)[http::field::etag].empty());
  }
  EXPECT_EQ(UiResponse(Get("/ui/"))->body(), SourceFile("index.html"));
}

TEST(UiRoutes, EveryAnswerCarriesTheSecurityHeaders) {
  for (const char* target : {"/ui/", "/ui/app.js", "/ui/nope.js", "/ui"}) {
    auto res = UiResponse(Get(target));
    ASSERT_TRUE(res) << target;
    const std::string csp((*res)["Content-Security-Policy"]);
    EXPECT_THAT(csp, HasSubstr("default-src 'self'")) << target;
    EXPECT_THAT(csp, HasSubstr("script-src 'self';")) << target;
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'")) << target;
    EXPECT_THAT(csp, ::testing::Not(HasSubstr("unsafe-inline")));
    EXPECT_EQ((*res)["X-Content-Type-Options"], "nosniff") << target;
    EXPECT_EQ((*res)[http::field::x_frame_options], "DENY") << target;
  }
}

TEST(UiRoutes, RevalidationAnswers304WithoutBody) {
  auto first = UiResponse(Get("/ui/app.js"));
  ASSERT_TRUE(first);
  auto again = Get("/ui/app.js");
  again.set(http::field::if_none_match, (*first)[http::field::etag]);
  auto res = UiResponse(again);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::not_modified);
  EXPECT_TRUE(res->body().empty());
}

TEST(UiRoutes, Errors) {
  EXPECT_EQ(UiResponse(Get("/ui/missing.js"))->result(), http::status::not_found);
  // Names are matched exactly: no path walks out of the embedded set.
  EXPECT_EQ(UiResponse(Get("/ui/../admin-token"))->result(), http::status::not_found);
  EXPECT_EQ(UiResponse(Get("/ui/ui/app.js"))->result(), http::status::not_found);
  auto post = UiResponse(Get("/ui/", http::verb::post));
  EXPECT_EQ(post->result(), http::status::method_not_allowed);
  EXPECT_EQ((*post)[http::field::allow], "GET");
  auto bare = UiResponse(Get("/ui"));
  EXPECT_EQ(bare->result(), http::status::permanent_redirect);
  EXPECT_EQ((*bare)[http::field::location], "/ui/");
}

TEST(UiAssets, EveryFileIsEmbeddedWhole) {
  ASSERT_GE(kEmbeddedUiFileCount, 10u);
  for (std::size_t i = 0; i < kEmbeddedUiFileCount; ++i) {
    const std::string name = kEmbeddedUiFiles[i].name;
    auto asset = FindUiAsset(name);
    ASSERT_TRUE(asset) << name;
    EXPECT_EQ(std::string(asset->body), SourceFile(name)) << name;
  }
  EXPECT_EQ(UiContentType("x.svg"), "image/svg+xml");
  EXPECT_EQ(UiContentType("README"), "application/octet-stream");
}

}  // namespace
}  // namespace hotplex::api
