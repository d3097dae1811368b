#include "api/api_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/admin_connection.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

hotplex::Status BindOne(tcp::acceptor& acceptor, const supervisor::ListenAddress& where,
                        std::uint16_t& port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(where.host, ec);
  if (ec) return MakeError("listen address '" + where.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, where.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return MakeError("cannot listen on " + where.ToString() + ": " + ec.message());
  port = acceptor.local_endpoint().port();
  return {};
}

}  // namespace

ApiServer::ApiServer(asio::io_context& io, ApiContext& ctx)
    : io_(io), ctx_(ctx), api_(io), admin_(io) {}

hotplex::Status ApiServer::Bind(const supervisor::ListenAddress& api,
                                const supervisor::ListenAddress& admin) {
  HOTPLEX_TRY_STATUS(BindOne(api_, api, api_port_));
  HOTPLEX_TRY_STATUS(BindOne(admin_, admin, admin_port_));
  return {};
}

void ApiServer::Start() {
  asio::co_spawn(api_.get_executor(), AcceptLoop(api_, Listener::kApi), asio::detached);
  asio::co_spawn(admin_.get_executor(), AcceptLoop(admin_, Listener::kAdmin), asio::detached);
}

void ApiServer::StopAccepting() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    api_.close(ignored);
    admin_.close(ignored);
  });
}

asio::awaitable<void> ApiServer::AcceptLoop(tcp::acceptor& acceptor, Listener listener) {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io_),
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    if (listener == Listener::kAdmin) {
      asio::co_spawn(executor, ServeAdminConnection(std::move(socket), ctx_, admin_tls_.get()),
                     asio::detached);
      continue;
    }
    asio::co_spawn(executor, ServeHttpConnection(std::move(socket), ctx_, listener),
                   asio::detached);
  }
}

}  // namespace hotplex::api
