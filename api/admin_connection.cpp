#include "api/admin_connection.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api/admin_query.hpp"
#include "api/admin_routes.hpp"
#include "api/admin_streams.hpp"
#include "api/auth.hpp"
#include "api/connection_limiter.hpp"
#include "api/router.hpp"
#include "api/ui_routes.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace sv = supervisor;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{10};

// The connection's stream (tcp_stream or ssl_stream<tcp_stream>) behind the
// StreamWriter interface the streaming routes use.
template <class Stream>
class Connection : public StreamWriter {
 public:
  Connection(Stream& stream, ApiContext& ctx, std::string address)
      : stream_(stream), ctx_(ctx), caller_{"", std::move(address)} {}

  asio::awaitable<bool> Write(std::string data) override {
    beast::get_lowest_layer(stream_).expires_after(ctx_.http.request_timeout);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(data),
                                              asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  }
  asio::any_io_executor Executor() override { return stream_.get_executor(); }

  asio::awaitable<void> Run() {
    beast::flat_buffer buffer;
    bool keep_going = true;
    while (keep_going && !ctx_.stopping.load()) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(ctx_.http.body_limit);
      beast::get_lowest_layer(stream_).expires_after(ctx_.http.request_timeout);
      auto [ec, n] =
          co_await http::async_read(stream_, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec == http::error::body_limit) co_await Send(TooLarge());
      if (ec) break;
      keep_going = co_await Serve(parser.release());
    }
  }

 private:
  asio::awaitable<bool> Send(HttpResponse res) {
    const bool keep_alive = res.keep_alive() && !ctx_.stopping.load();
    res.keep_alive(keep_alive);
    beast::get_lowest_layer(stream_).expires_after(ctx_.http.request_timeout);
    auto [ec, n] = co_await http::async_write(stream_, res, asio::as_tuple(asio::use_awaitable));
    co_return !ec && keep_alive;
  }

  HttpResponse TooLarge() const {
    HttpRequest dummy{http::verb::get, "/", 11};
    dummy.keep_alive(false);
    return AdminError(dummy, http::status::payload_too_large, "payload_too_large",
                      "request body over " + std::to_string(ctx_.http.body_limit) + " bytes");
  }

  bool Authenticate(const HttpRequest& req, const Route& route) {
    const auto header = req[http::field::authorization];
    auto token = BearerToken(std::string_view(header.data(), header.size()));
    if (token && ctx_.admin_token != nullptr && ctx_.admin_token->Matches(*token)) {
      caller_.token_id = ctx_.admin_token->Id();
      return true;
    }
    // Aggregated per client address (supervisor/auth_failure_log.hpp).
    if (ctx_.auth_failures != nullptr) {
      ctx_.auth_failures->Record({"admin", caller_.address,
                                  token ? "wrong admin token" : "no bearer token",
                                  std::string(req.target().substr(0, 256)), RouteName(route.id)});
    }
    return false;
  }

  // A streaming route, or nullopt when the request is for a JSON route.
  std::optional<asio::awaitable<void>> StreamFor(const Route& route, const HttpRequest& req,
                                                 HttpResponse& error) {
    if (route.id == RouteId::kAdminSessionsWatch) return ServeSessionsWatch(*this, ctx_);
    if (route.id == RouteId::kAdminAuditExport) {
      if (ctx_.audit_reader == nullptr) {
        error = AdminError(req, http::status::service_unavailable, "audit_unavailable",
                           "the audit store is not open in this daemon");
        return std::nullopt;
      }
      auto filter = ParseAuditFilter(route.query, false);
      if (!filter) {
        error =
            AdminError(req, http::status::bad_request, filter.error().code, filter.error().message);
        return std::nullopt;
      }
      AuditAdminAction(ctx_, caller_, "audit.export", route.query, 200, "ok");
      return ServeAuditExport(*this, ctx_, *filter);
    }
    if (route.id == RouteId::kAdminTranscript && ctx_.transcripts != nullptr &&
        QueryParam(route.query, "follow") == "1") {
      auto after = ParseCount(QueryParam(route.query, "after").value_or("0"));
      if (!after) {
        error = AdminError(req, http::status::bad_request, "bad_filter", "after must be a seq");
        return std::nullopt;
      }
      AuditAdminAction(ctx_, caller_, "session.transcript.follow", route.session_id, 200, "ok");
      return ServeTranscriptFollow(*this, ctx_, route.session_id, *after);
    }
    return std::nullopt;
  }

  asio::awaitable<bool> Serve(HttpRequest req) {
    // The dashboard's static files (api/ui_routes.hpp) need no token.
    if (auto ui = UiResponse(req)) {
      sv::Metrics::Global().AdminRequest("ui", static_cast<int>(ui->result_int()));
      co_return co_await Send(std::move(*ui));
    }
    const auto method = req.method_string();
    auto match = MatchAdminRoute(std::string_view(method.data(), method.size()),
                                 std::string_view(req.target().data(), req.target().size()));
    HttpResponse res;
    const char* name = RouteName(match.route.id);
    if (match.result == MatchResult::kNotFound) {
      name = "unknown";
      res = AdminError(req, http::status::not_found, "not_found", "no such route");
    } else if (match.result == MatchResult::kMethodNotAllowed) {
      res = AdminError(req, http::status::method_not_allowed, "method_not_allowed",
                       "allowed: " + match.allow);
      res.set(http::field::allow, match.allow);
    } else if (match.route.id != RouteId::kHealthz && match.route.id != RouteId::kReadyz &&
               !Authenticate(req, match.route)) {
      res = AdminError(req, http::status::unauthorized, "unauthorized",
                       "missing or wrong admin token (Authorization: Bearer <admin token>)");
      res.set(http::field::www_authenticate, "Bearer");
    } else {
      res.result(http::status::ok);
      if (auto stream = StreamFor(match.route, req, res)) {
        sv::Metrics::Global().AdminRequest(name, 200);
        co_await std::move(*stream);
        co_return false;
      }
      if (res.result() == http::status::ok) res = HandleAdminRoute(ctx_, match.route, req, caller_);
    }
    sv::Metrics::Global().AdminRequest(name, static_cast<int>(res.result_int()));
    co_return co_await Send(std::move(res));
  }

  Stream& stream_;
  ApiContext& ctx_;
  AdminCaller caller_;
};

std::string PeerAddress(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  return ec ? "unknown" : CanonicalPeer(peer.address()).to_string();
}

asio::awaitable<void> ServeTls(beast::tcp_stream tcp, ApiContext& ctx, asio::ssl::context& tls,
                               std::string address) {
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
  // A client that connects and never says hello holds its connection slot
  // until this fires: no longer than a request may take.
  beast::get_lowest_layer(stream).expires_after(
      std::min<std::chrono::milliseconds>(kHandshakeTimeout, ctx.http.request_timeout));
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                              asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  Connection<beast::ssl_stream<beast::tcp_stream>> connection(stream, ctx, std::move(address));
  co_await connection.Run();
  beast::get_lowest_layer(stream).expires_after(kHandshakeTimeout);
  co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

asio::awaitable<void> ServeAdminConnection(asio::ip::tcp::socket socket, ApiContext& ctx,
                                           asio::ssl::context* tls) {
  std::string address = PeerAddress(socket);
  beast::tcp_stream tcp(std::move(socket));
  if (tls != nullptr) {
    co_await ServeTls(std::move(tcp), ctx, *tls, std::move(address));
    co_return;
  }
  Connection<beast::tcp_stream> connection(tcp, ctx, std::move(address));
  co_await connection.Run();
  boost::system::error_code ignored;
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace hotplex::api
