#include "supervisor/gateway/refusal_response.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace hotplex::gateway {
namespace asio = boost::asio;
namespace http = boost::beast::http;

asio::awaitable<bool> SendRefusal(boost::beast::tcp_stream& client, const ModelDialect& dialect,
                                  const Refusal& refusal, bool keep_alive,
                                  std::chrono::milliseconds timeout) {
  http::response<http::string_body> res{static_cast<http::status>(refusal.status), 11};
  res.set(http::field::content_type, "application/json");
  if (refusal.status < 500) res.set("x-should-retry", "false");
  res.body() = dialect.ErrorBody(refusal);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  client.expires_after(timeout);
  auto [ec, n] = co_await http::async_write(client, res, asio::as_tuple(asio::use_awaitable));
  co_return !ec && keep_alive;
}

}  // namespace hotplex::gateway
