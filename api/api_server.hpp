// ApiServer: the two TCP listeners of `hotplexd serve` (API and admin) and
// their accept loops; each accepted connection gets its own strand and an
// HttpConnection coroutine. Port 0 binds an ephemeral port (tests).
// Each listener has a ConnectionLimiter (caps in total and per client
// address): a connection over a cap is closed at accept, after a best-effort
// `503`/`429` on plain HTTP, and counted in hotplex_connections_refused_total.
// With an AuthFailureLog in the context, a timer flushes its ended windows.
// Thread-safety: Bind/SetConnectionCaps/Start from the owner's thread before
// serving; StopAccepting from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/api_context.hpp"
#include "api/connection_limiter.hpp"
#include "api/http_connection.hpp"
#include "common/result.hpp"
#include "supervisor/connection_caps.hpp"

namespace boost::asio::ssl {
class context;
}

namespace hotplex::api {

class ApiServer {
 public:
  ApiServer(boost::asio::io_context& io, ApiContext& ctx);

  hotplex::Status Bind(const supervisor::ListenAddress& api,
                       const supervisor::ListenAddress& admin);
  // The admin listener speaks TLS with this context (null: plain HTTP). Before Start().
  void SetAdminTls(std::shared_ptr<boost::asio::ssl::context> tls) { admin_tls_ = std::move(tls); }
  // Before Start(); without it each listener has ConnectionLimiter::Limits{}.
  void SetConnectionCaps(const supervisor::ConnectionCaps& caps);
  void Start();
  void StopAccepting();
  std::uint16_t ApiPort() const { return api_port_; }
  std::uint16_t AdminPort() const { return admin_port_; }

 private:
  boost::asio::awaitable<void> AcceptLoop(boost::asio::ip::tcp::acceptor& acceptor,
                                          Listener listener);
  // A slot for the accepted socket, or nullopt when it was refused (and closed).
  std::optional<ConnectionSlot> Admit(boost::asio::ip::tcp::socket& socket, Listener listener);
  void Serve(boost::asio::ip::tcp::socket socket, ConnectionSlot slot, Listener listener);
  boost::asio::awaitable<void> FlushAuthFailures();

  boost::asio::io_context& io_;
  ApiContext& ctx_;
  boost::asio::ip::tcp::acceptor api_;
  boost::asio::ip::tcp::acceptor admin_;
  std::uint16_t api_port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::shared_ptr<boost::asio::ssl::context> admin_tls_;
  ConnectionLimiter api_limiter_{ConnectionLimiter::Limits{}};
  ConnectionLimiter admin_limiter_{ConnectionLimiter::Limits{}};
};

}  // namespace hotplex::api
