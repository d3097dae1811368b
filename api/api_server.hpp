// ApiServer: the two TCP listeners of `hotplexd serve` (API and admin) and
// their accept loops; each accepted connection gets its own strand and an
// HttpConnection coroutine. Port 0 binds an ephemeral port (tests).
// Thread-safety: Bind/Start from the owner's thread before serving;
// StopAccepting from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/api_context.hpp"
#include "api/http_connection.hpp"
#include "common/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace hotplex::api {

class ApiServer {
 public:
  ApiServer(boost::asio::io_context& io, ApiContext& ctx);

  hotplex::Status Bind(const supervisor::ListenAddress& api, const supervisor::ListenAddress& admin);
  // The admin listener speaks TLS with this context (null: plain HTTP). Before Start().
  void SetAdminTls(std::shared_ptr<boost::asio::ssl::context> tls) { admin_tls_ = std::move(tls); }
  void Start();
  void StopAccepting();
  std::uint16_t ApiPort() const { return api_port_; }
  std::uint16_t AdminPort() const { return admin_port_; }

 private:
  boost::asio::awaitable<void> AcceptLoop(boost::asio::ip::tcp::acceptor& acceptor,
                                          Listener listener);

  boost::asio::io_context& io_;
  ApiContext& ctx_;
  boost::asio::ip::tcp::acceptor api_;
  boost::asio::ip::tcp::acceptor admin_;
  std::uint16_t api_port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::shared_ptr<boost::asio::ssl::context> admin_tls_;
};

}  // namespace hotplex::api
