// WebSocketSession: one client on GET /ws/v1/agent.
//
// Client -> server JSON messages: attach {session_id, after}, detach,
// prompt {session_id, text}, interrupt {session_id}, permission {session_id,
// request_id, behavior, message}, create {same body as POST /v1/sessions}; an
// optional "id" is echoed in the `ack` or `error` reply. Server -> client: the
// event objects of every attached session, plus those replies. One connection
// may attach to several sessions.
//
// Bounds: messages over websocket_message_limit close with 1009, invalid UTF-8
// with 1007 (Beast); each attachment is a Subscription bounded in events and
// bytes (overflow -> a final `slow_consumer` error event, then the connection
// is closed with 1013 so the client resumes with `after`); at most
// kMaxPendingReplies replies wait for the writer; every write has a deadline.
// Memory a client that never reads can make the daemon hold: its queues'
// bounds, plus one batch being written (kStreamBatchBytes of event footprint, at
// least one event, as encoded copies) and the cork's copy of it. The writer
// drains a batch only after the previous one reached the socket, so while the
// socket's send buffer is full nothing more is copied: events wait in the
// bounded queue until it overflows (and is dropped) or the write deadline
// closes the connection.
// Thread-safety: everything runs on the connection's strand.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include "api/api_context.hpp"
#include "api/corked_stream.hpp"
#include "api/http_response.hpp"
#include "api/waker.hpp"

namespace hotplex::api {

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(boost::beast::tcp_stream stream, ApiContext& ctx,
                   const supervisor::Tenant& tenant);

  // Completes the handshake (answering subprotocol hotplex.v1 when offered or
  // when the key came as hotplex.bearer.<key>), then serves until closed.
  boost::asio::awaitable<void> Run(HttpRequest upgrade);

 private:
  static constexpr std::size_t kMaxPendingReplies = 256;
  static constexpr std::size_t kCorkBytes = 64 * 1024;  // flushed when this much is held

  boost::asio::awaitable<void> ReadLoop();
  boost::asio::awaitable<void> WriteLoop();
  // Event texts are shared with every other subscriber of the event.
  using SharedText = std::shared_ptr<const std::string>;
  boost::asio::awaitable<bool> WriteBatch(const std::vector<SharedText>& batch);
  void ArmWriteDeadline();
  boost::asio::awaitable<void> Handle(std::string_view text);
  // create and prompt may launch a sandbox: co_awaited on the Launcher.
  boost::asio::awaitable<void> Create(const nlohmann::json& msg, const nlohmann::json& id);
  boost::asio::awaitable<void> Prompt(const nlohmann::json& msg, const nlohmann::json& id);
  void Dispatch(const std::string& type, const nlohmann::json& msg, const nlohmann::json& id);
  void Attach(const nlohmann::json& msg, const nlohmann::json& id);
  void Reply(nlohmann::json reply);
  void Ack(const nlohmann::json& id, nlohmann::json extra = nlohmann::json::object());
  void Fail(const nlohmann::json& id, const std::string& code, const std::string& message);
  void CollectEvents(std::vector<SharedText>& out);

  boost::beast::websocket::stream<CorkedStream> ws_;
  ApiContext& ctx_;
  const supervisor::Tenant& tenant_;
  std::shared_ptr<Waker> waker_;
  boost::asio::steady_timer write_deadline_;
  std::chrono::steady_clock::time_point write_progress_;  // the last write that completed
  bool writing_ = false;                                  // a batch is being written
  std::map<std::string, supervisor::SubscriptionPtr> subscriptions_;
  std::string resume_from_;  // the attachment the next batch starts with
  std::deque<std::string> replies_;
  bool closing_ = false;
  bool reader_done_ = false;
  boost::beast::websocket::close_reason close_reason_;
};

}  // namespace hotplex::api
