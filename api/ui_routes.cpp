#include "api/ui_routes.hpp"

#include <cstdint>
#include <cstdio>
#include <string>

#include "api/ui_assets.hpp"

namespace hotplex::api {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

void SetSecurityHeaders(HttpResponse& res) {
  res.set(http::field::server, "hotplexd");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::x_frame_options, "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
}

// FNV-1a: a cheap validator; the files change only with the binary.
std::string EntityTag(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : body) hash = (hash ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buf;
}

HttpResponse Secured(HttpResponse res) {
  SetSecurityHeaders(res);
  return res;
}

}  // namespace

std::optional<HttpResponse> UiResponse(const HttpRequest& req) {
  const std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/ui" && !path.starts_with("/ui/")) return std::nullopt;
  if (req.method() != http::verb::get) {
    auto res = ErrorResponse(http::status::method_not_allowed, "method_not_allowed", "allowed: GET",
                             req.version(), req.keep_alive());
    res.set(http::field::allow, "GET");
    return Secured(std::move(res));
  }
  if (path == "/ui") {
    HttpResponse res{http::status::permanent_redirect, req.version()};
    res.set(http::field::location, "/ui/");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return Secured(std::move(res));
  }
  const auto asset = FindUiAsset(path.substr(4));
  if (!asset) {
    return Secured(ErrorResponse(http::status::not_found, "not_found", "no such dashboard file",
                                 req.version(), req.keep_alive()));
  }
  const std::string etag = EntityTag(asset->body);
  HttpResponse res{
      req[http::field::if_none_match] == etag ? http::status::not_modified : http::status::ok,
      req.version()};
  res.set(http::field::content_type, asset->content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::etag, etag);
  if (res.result() == http::status::ok) res.body().assign(asset->body);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return Secured(std::move(res));
}

}  // namespace hotplex::api
