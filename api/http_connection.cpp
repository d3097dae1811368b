#include "api/http_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "api/auth.hpp"
#include "api/connection_limiter.hpp"
#include "api/router.hpp"
#include "api/session_routes.hpp"
#include "api/sse_stream.hpp"
#include "api/websocket_session.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace sv = supervisor;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;

HttpResponse Error(const HttpRequest& req, http::status status, const char* code,
                   std::string message) {
  return ErrorResponse(status, code, std::move(message), req.version(), req.keep_alive());
}

const sv::Tenant* Authenticate(ApiContext& ctx, const HttpRequest& req) {
  auto key = BearerToken(req[http::field::authorization]);
  if (!key && beast::websocket::is_upgrade(req)) {
    key = WebSocketBearer(req[http::field::sec_websocket_protocol]);
  }
  return key ? ctx.tenants.Authenticate(*key) : nullptr;
}

// Aggregated per client address (supervisor/auth_failure_log.hpp): a flood of
// bad keys costs the audit store a record per window, not one per request.
void AuditAuthFailure(ApiContext& ctx, const HttpRequest& req, const Route& route,
                      const std::string& peer) {
  if (ctx.auth_failures == nullptr) return;
  const bool had_key = BearerToken(req[http::field::authorization]).has_value() ||
                       (beast::websocket::is_upgrade(req) &&
                        WebSocketBearer(req[http::field::sec_websocket_protocol]).has_value());
  ctx.auth_failures->Record({"api", peer, had_key ? "unknown API key" : "no bearer token",
                             std::string(req.target().substr(0, 256)), RouteName(route.id)});
}

std::optional<std::uint64_t> ParseSeq(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// Last-Event-ID wins over ?after= (it is what a reconnecting EventSource sends).
std::optional<std::uint64_t> ReplayAfter(const HttpRequest& req, const Route& route, bool& bad) {
  bad = false;
  const auto last_id = req["Last-Event-ID"];
  if (!last_id.empty()) {
    auto seq = ParseSeq(std::string_view(last_id.data(), last_id.size()));
    bad = !seq;
    return seq;
  }
  if (auto after = QueryParam(route.query, "after")) {
    auto seq = ParseSeq(*after);
    bad = !seq;
    return seq;
  }
  return 0;
}

asio::awaitable<bool> Send(beast::tcp_stream& stream, HttpResponse res, ApiContext& ctx) {
  const bool keep_alive = res.keep_alive() && !ctx.stopping.load();
  res.keep_alive(keep_alive);
  stream.expires_after(ctx.http.request_timeout);
  auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  co_return !ec && keep_alive;
}

// Answers one API request; SSE and WebSocket requests take the stream over.
asio::awaitable<bool> ServeApiRequest(beast::tcp_stream& stream, ApiContext& ctx, HttpRequest req,
                                      bool& handed_over, const std::string& peer) {
  const auto method = req.method_string();
  auto match = MatchApiRoute(std::string_view(method.data(), method.size()),
                             std::string_view(req.target().data(), req.target().size()));
  if (match.result == MatchResult::kNotFound) {
    co_return co_await Send(stream,
                            Error(req, http::status::not_found, "not_found", "no such route"), ctx);
  }
  if (match.result == MatchResult::kMethodNotAllowed) {
    auto res = Error(req, http::status::method_not_allowed, "method_not_allowed",
                     "allowed: " + match.allow);
    res.set(http::field::allow, match.allow);
    co_return co_await Send(stream, std::move(res), ctx);
  }
  const sv::Tenant* tenant = Authenticate(ctx, req);
  if (tenant == nullptr) {
    AuditAuthFailure(ctx, req, match.route, peer);
    auto res = Error(req, http::status::unauthorized, "unauthorized",
                     "missing or unknown API key (Authorization: Bearer <key>)");
    res.set(http::field::www_authenticate, "Bearer");
    co_return co_await Send(stream, std::move(res), ctx);
  }
  const Route& route = match.route;
  if (route.id == RouteId::kWebSocket) {
    if (!beast::websocket::is_upgrade(req)) {
      co_return co_await Send(stream,
                              Error(req, http::status::bad_request, "bad_request",
                                    "this route needs a WebSocket upgrade"),
                              ctx);
    }
    // The stream moves into the session: the caller must not touch it again.
    handed_over = true;
    auto ws = std::make_shared<WebSocketSession>(std::move(stream), ctx, *tenant);
    co_await ws->Run(std::move(req));
    co_return false;
  }
  if (route.id == RouteId::kEvents) {
    auto session = ctx.sessions.Get(*tenant, route.session_id);
    if (!session)
      co_return co_await Send(stream, SupervisorErrorResponse(session.error(), req), ctx);
    bool bad = false;
    auto after = ReplayAfter(req, route, bad);
    if (bad) {
      co_return co_await Send(stream,
                              Error(req, http::status::bad_request, "bad_request",
                                    "Last-Event-ID / after must be a sequence number"),
                              ctx);
    }
    co_await ServeSse(stream, ctx, std::move(*session), *after);
    co_return false;
  }
  co_return co_await Send(stream, co_await HandleSessionRoute(ctx, *tenant, route, req), ctx);
}

// A request that could not be read: answer what can be answered, then close.
asio::awaitable<void> AnswerReadError(beast::tcp_stream& stream, ApiContext& ctx,
                                      boost::system::error_code ec) {
  HttpRequest dummy{http::verb::get, "/", 11};
  dummy.keep_alive(false);
  if (ec == http::error::body_limit) {
    co_await Send(stream,
                  Error(dummy, http::status::payload_too_large, "payload_too_large",
                        "request body over " + std::to_string(ctx.http.body_limit) + " bytes"),
                  ctx);
  } else if (ec == http::error::header_limit) {
    co_await Send(stream,
                  Error(dummy, http::status::request_header_fields_too_large, "headers_too_large",
                        "request headers too large"),
                  ctx);
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    co_await Send(stream,
                  Error(dummy, http::status::bad_request, "bad_request", "malformed HTTP request"),
                  ctx);
  }
}

}  // namespace

asio::awaitable<void> ServeHttpConnection(asio::ip::tcp::socket socket, ApiContext& ctx,
                                          Listener /*listener*/) {
  boost::system::error_code peer_ec;
  const auto endpoint = socket.remote_endpoint(peer_ec);
  const std::string peer = peer_ec ? "unknown" : CanonicalPeer(endpoint.address()).to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  bool keep_going = true;
  bool handed_over = false;
  while (keep_going && !ctx.stopping.load()) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(ctx.http.body_limit);
    stream.expires_after(ctx.http.request_timeout);
    auto [ec, n] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset) {
      break;
    }
    if (ec) {
      co_await AnswerReadError(stream, ctx, ec);
      break;
    }
    keep_going = co_await ServeApiRequest(stream, ctx, parser.release(), handed_over, peer);
  }
  if (!handed_over && stream.socket().is_open()) {
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

}  // namespace hotplex::api
