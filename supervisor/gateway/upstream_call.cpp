#include "supervisor/gateway/upstream_call.hpp"

#include <openssl/ssl.h>

#include <array>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "supervisor/gateway/gateway_state.hpp"
#include "supervisor/gateway/refusal_response.hpp"

namespace hotplex::gateway {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Request = http::request<http::string_body>;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kRelayChunkBytes = 16 * 1024;
// A bound on one streamed response, far above any real model call.
constexpr auto kMaxCallDuration = std::chrono::hours(2);
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Never forwarded: the token, hop-by-hop headers, and Accept-Encoding (the
// usage parser must read the body uncompressed).
bool Dropped(std::string_view name) {
  static constexpr std::string_view kDropped[] = {"host",
                                                  "x-api-key",
                                                  "authorization",
                                                  "connection",
                                                  "keep-alive",
                                                  "proxy-connection",
                                                  "proxy-authorization",
                                                  "te",
                                                  "trailer",
                                                  "transfer-encoding",
                                                  "upgrade",
                                                  "content-length",
                                                  "accept-encoding"};
  for (auto dropped : kDropped) {
    if (beast::iequals(name, dropped)) return true;
  }
  return false;
}

Request UpstreamRequest(const GatewayState& state, Request req) {
  const auto target = std::string_view(req.target().data(), req.target().size());
  Request up{req.method(), state.config.upstream.base_path + std::string(target), 11};
  for (const auto& field : req) {
    const auto name = std::string_view(field.name_string().data(), field.name_string().size());
    if (!Dropped(name)) up.insert(field.name_string(), field.value());
  }
  up.set(http::field::host, state.config.upstream.HostHeader());
  up.set(state.dialect->CredentialHeader(),
         state.dialect->CredentialValue(state.config.credential));
  up.body() = std::move(req.body());
  up.keep_alive(false);
  up.prepare_payload();
  return up;
}

asio::awaitable<boost::system::error_code> ConnectTcp(beast::tcp_stream& stream,
                                                      const GatewayState& state) {
  asio::ip::tcp::resolver resolver(stream.get_executor());
  const auto& url = state.config.upstream;
  auto [ec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
  if (ec) co_return ec;
  stream.expires_after(state.config.connect_timeout);
  auto [cec, endpoint] = co_await stream.async_connect(results, kTuple);
  co_return cec;
}

struct Relay {
  const GatewayState& state;
  beast::tcp_stream& lowest;  // the upstream's TCP layer (deadlines)
  beast::tcp_stream& client;
  bool keep_alive;
  Clock::time_point start;
};

// Streams the response body: one upstream read, then its bytes to the client,
// then to the usage parser. Returns false when the client connection broke.
template <class Stream>
asio::awaitable<bool> StreamBody(const Relay& relay, Stream& upstream, beast::flat_buffer& buffer,
                                 http::response_parser<http::buffer_body>& parser,
                                 UsageParser& usage) {
  auto& res = parser.get();
  http::response_serializer<http::buffer_body> serializer{res};
  std::array<char, kRelayChunkBytes> chunk{};
  res.body().data = nullptr;
  res.body().more = true;
  relay.client.expires_after(relay.state.config.idle_timeout);
  auto [hec, hn] = co_await http::async_write_header(relay.client, serializer, kTuple);
  if (hec) co_return false;
  while (Clock::now() - relay.start < kMaxCallDuration) {
    std::size_t produced = 0;
    if (!parser.is_done()) {
      res.body().data = chunk.data();
      res.body().size = chunk.size();
      relay.lowest.expires_after(relay.state.config.idle_timeout);
      auto [ec, n] = co_await http::async_read_some(upstream, buffer, parser, kTuple);
      if (ec && ec != http::error::need_buffer) co_return false;  // cut mid-response
      produced = chunk.size() - res.body().size;
      if (produced == 0 && !parser.is_done()) continue;
    }
    res.body().data = produced == 0 ? nullptr : chunk.data();
    res.body().size = produced;
    res.body().more = !parser.is_done();
    relay.client.expires_after(relay.state.config.idle_timeout);
    auto [wec, wn] = co_await http::async_write(relay.client, serializer, kTuple);
    if (wec && wec != http::error::need_buffer) co_return false;
    usage.Feed(std::string_view(chunk.data(), produced));
    if (serializer.is_done()) co_return true;
  }
  co_return false;
}

template <class Stream>
asio::awaitable<ForwardOutcome> Exchange(const Relay& relay, Stream& upstream, Request up_req) {
  ForwardOutcome out;
  relay.lowest.expires_after(relay.state.config.idle_timeout);
  auto [wec, wn] = co_await http::async_write(upstream, up_req, kTuple);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  boost::system::error_code ec = wec;
  if (!ec) {
    auto [rec, rn] = co_await http::async_read_header(upstream, buffer, parser, kTuple);
    ec = rec;
  }
  if (ec) {
    out.upstream_failed = true;
    out.status = ec == beast::error::timeout ? 504 : 502;
    co_return out;
  }
  out.first_byte =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - relay.start);
  out.status = parser.get().result_int();
  const auto content_type = parser.get()[http::field::content_type];
  auto usage = relay.state.dialect->NewUsageParser({content_type.data(), content_type.size()});
  parser.get().keep_alive(relay.keep_alive);
  out.client_ok = co_await StreamBody(relay, upstream, buffer, parser, *usage);
  out.usage = usage->Finish();
  co_return out;
}

asio::awaitable<ForwardOutcome> ExchangeTls(const Relay& relay, beast::tcp_stream&& tcp,
                                            beast::tcp_stream*& slot, Request up_req) {
  const std::string& host = relay.state.config.upstream.host;
  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp),
                                           const_cast<asio::ssl::context&>(relay.state.tls));
  slot = &beast::get_lowest_layer(tls);
  ForwardOutcome failed;
  failed.upstream_failed = true;
  if (!SSL_set_tlsext_host_name(tls.native_handle(), host.c_str())) co_return failed;
  tls.set_verify_callback(asio::ssl::host_name_verification(host));
  beast::get_lowest_layer(tls).expires_after(relay.state.config.connect_timeout);
  auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (ec) co_return failed;
  const Relay tls_relay{relay.state, beast::get_lowest_layer(tls), relay.client, relay.keep_alive,
                        relay.start};
  ForwardOutcome out = co_await Exchange(tls_relay, tls, std::move(up_req));
  slot = nullptr;
  co_return out;
}

}  // namespace

asio::awaitable<ForwardOutcome> ForwardCall(const GatewayState& state, beast::tcp_stream& client,
                                            Request request, bool keep_alive,
                                            beast::tcp_stream*& upstream_slot) {
  const auto start = Clock::now();
  beast::tcp_stream tcp(client.get_executor());
  upstream_slot = &tcp;
  Request up_req = UpstreamRequest(state, std::move(request));
  ForwardOutcome out;
  const auto connect_error = co_await ConnectTcp(tcp, state);
  if (connect_error) {
    out.upstream_failed = true;
    out.status = connect_error == beast::error::timeout ? 504 : 502;
  } else {
    Relay relay{state, tcp, client, keep_alive, start};
    // Not a conditional expression: GCC 12 miscompiles co_await inside `?:`.
    if (state.config.upstream.tls) {
      out = co_await ExchangeTls(relay, std::move(tcp), upstream_slot, std::move(up_req));
    } else {
      out = co_await Exchange(relay, tcp, std::move(up_req));
    }
  }
  upstream_slot = nullptr;
  if (out.upstream_failed) {
    Refusal failure{out.status, "api_error",
                    "model gateway: the upstream " + state.config.upstream.HostHeader() +
                        (out.status == 504 ? " timed out" : " could not be reached or failed")};
    out.client_ok =
        co_await SendRefusal(client, *state.dialect, failure, false, state.config.idle_timeout);
  }
  co_return out;
}

}  // namespace hotplex::gateway
