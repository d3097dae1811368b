// GatewayConnection: one agent connection to a session's model gateway
// listener. Reads requests (keep-alive, head ≤ 16 KiB, body ≤
// max_request_body_bytes), authenticates the session token, lets the dialect
// and the budget ledger decide, relays what passes (upstream_call.hpp) and
// reports every request through GatewayHooks::on_call.
// Thread-safety: runs on its endpoint's strand; Close() must be called there.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "supervisor/gateway/gateway_config.hpp"

namespace hotplex::gateway {

struct GatewayState;

class GatewayConnection : public std::enable_shared_from_this<GatewayConnection> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  GatewayConnection(Strand strand, boost::asio::ip::tcp::socket socket,
                    std::shared_ptr<GatewayState> state, SessionGrant grant,
                    std::function<void(GatewayConnection*)> on_done);

  void Start();
  void Close();

 private:
  boost::asio::awaitable<void> Run();
  // Answers one request; false when the connection must end.
  boost::asio::awaitable<bool> Handle(Request req);
  std::optional<Refusal> Admit(const Request& req, CallRequest& call);
  boost::asio::awaitable<bool> Refuse(const Request& req, const Refusal& refusal,
                                      CallRecord& record);
  CallRecord NewRecord() const;
  void Report(CallRecord& record);

  Strand strand_;
  boost::beast::tcp_stream client_;
  std::shared_ptr<GatewayState> state_;
  SessionGrant grant_;
  std::function<void(GatewayConnection*)> on_done_;
  // The upstream connection of the call in flight, so Close() can cut it.
  boost::beast::tcp_stream* upstream_ = nullptr;
  std::chrono::steady_clock::time_point request_start_;
  bool closed_ = false;
};

}  // namespace hotplex::gateway
