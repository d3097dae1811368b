#include "api/api_server.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "api/admin_connection.hpp"
#include "common/log_line.hpp"
#include "supervisor/metrics/metrics.hpp"

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

const char* ListenerName(Listener listener) {
  return listener == Listener::kAdmin ? "admin" : "api";
}

std::string RefusalResponse(ConnectionRefusal why) {
  const bool address = why == ConnectionRefusal::kAddressFull;
  const std::string body =
      address ? R"({"error":{"code":"too_many_connections","message":"too many open connections )"
                R"(from your address (http.max_connections_per_ip): close idle ones and retry"}})"
              : R"({"error":{"code":"server_busy","message":"this listener holds its maximum of )"
                R"(connections (http.max_connections): retry later"}})";
  return std::string(address ? "HTTP/1.1 429 Too Many Requests"
                             : "HTTP/1.1 503 Service Unavailable") +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
}

// Never blocks the accept loop: a fresh socket's send buffer takes the short
// answer whole, and whatever did not fit is dropped. What the client already
// sent is read first, so that close() ends with a FIN and not a reset that
// would discard the answer (best effort: later bytes still reset it).
void Refuse(tcp::socket& socket, ConnectionRefusal why, bool plain_http) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (plain_http && !ec) {
    std::array<char, 4096> sink;
    for (int i = 0; i < 4 && socket.available(ec) > 0 && !ec; ++i) {
      socket.receive(asio::buffer(sink), 0, ec);
    }
    socket.send(asio::buffer(RefusalResponse(why)), 0, ec);
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

asio::awaitable<void> HoldSlot(ConnectionSlot /*slot*/, asio::awaitable<void> connection) {
  co_await std::move(connection);
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

void ApiServer::SetConnectionCaps(const supervisor::ConnectionCaps& caps) {
  api_limiter_ = ConnectionLimiter({caps.api.total, caps.api.per_address});
  admin_limiter_ = ConnectionLimiter({caps.admin.total, caps.admin.per_address});
  // Logged because the automatic caps depend on the file limit at start.
  LogLine(LogLevel::kInfo, "api", "connection caps",
          {{"api", {{"total", caps.api.total}, {"per_address", caps.api.per_address}}},
           {"admin", {{"total", caps.admin.total}, {"per_address", caps.admin.per_address}}}});
}

void ApiServer::Start() {
  asio::co_spawn(api_.get_executor(), AcceptLoop(api_, Listener::kApi), asio::detached);
  asio::co_spawn(admin_.get_executor(), AcceptLoop(admin_, Listener::kAdmin), asio::detached);
  if (ctx_.auth_failures != nullptr) {
    asio::co_spawn(asio::make_strand(io_), FlushAuthFailures(), asio::detached);
  }
}

// Summaries are due when a window ends; a quarter window late at most.
asio::awaitable<void> ApiServer::FlushAuthFailures() {
  const auto window = ctx_.auth_failures->options().window;
  const auto period = std::clamp<std::chrono::milliseconds>(
      window / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(5000));
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!ctx_.stopping.load()) {
    timer.expires_after(period);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    ctx_.auth_failures->FlushDue();
  }
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
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(io_), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    tcp::socket accepted(std::move(socket));  // keeps its strand as executor
    auto slot = Admit(accepted, listener);
    if (slot) Serve(std::move(accepted), std::move(*slot), listener);
  }
}

std::optional<ConnectionSlot> ApiServer::Admit(tcp::socket& socket, Listener listener) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) {  // the client is already gone
    socket.close(ec);
    return std::nullopt;
  }
  auto& limiter = listener == Listener::kAdmin ? admin_limiter_ : api_limiter_;
  auto admitted = limiter.TryAdmit(peer.address());
  if (auto* slot = std::get_if<ConnectionSlot>(&admitted)) return std::move(*slot);
  const auto why = std::get<ConnectionRefusal>(admitted);
  supervisor::Metrics::Global().ConnectionRefused(ListenerName(listener), RefusalName(why));
  Refuse(socket, why, listener == Listener::kApi || admin_tls_ == nullptr);
  return std::nullopt;
}

void ApiServer::Serve(tcp::socket socket, ConnectionSlot slot, Listener listener) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto executor = socket.get_executor();
  if (listener == Listener::kAdmin) {
    asio::co_spawn(
        executor,
        HoldSlot(std::move(slot), ServeAdminConnection(std::move(socket), ctx_, admin_tls_.get())),
        asio::detached);
    return;
  }
  asio::co_spawn(executor,
                 HoldSlot(std::move(slot), ServeHttpConnection(std::move(socket), ctx_, listener)),
                 asio::detached);
}

}  // namespace hotplex::api
