#include "api/websocket_session.hpp"

#include <algorithm>
#include <functional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "api/auth.hpp"
#include "api/event_json.hpp"
#include "api/request_json.hpp"
#include "supervisor/launcher.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace sv = supervisor;
using nlohmann::json;

namespace {

// The subscription ended with a `slow_consumer` error: it overflowed.
bool Overflowed(const std::vector<sv::EventPtr>& events) {
  if (events.empty()) return false;
  const auto* error = std::get_if<sv::ErrorEvent>(&events.back()->payload);
  return error != nullptr && error->code == sv::ErrorCode::kSlowConsumer;
}

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream stream, ApiContext& ctx,
                                   const sv::Tenant& tenant)
    : ws_(CorkedStream(std::move(stream))),
      ctx_(ctx),
      tenant_(tenant),
      waker_(std::make_shared<Waker>(ws_.get_executor())),
      write_deadline_(ws_.get_executor()) {}

asio::awaitable<void> WebSocketSession::Run(HttpRequest upgrade) {
  auto self = shared_from_this();
  // The websocket stream has its own timeouts (handshake, idle pings).
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(ctx_.http.websocket_message_limit);
  const bool subprotocol = !upgrade[http::field::sec_websocket_protocol].empty();
  ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
    res.set(http::field::server, "hotplexd");
    if (subprotocol) res.set(http::field::sec_websocket_protocol, kWebSocketProtocol);
  }));
  auto [ec] = co_await ws_.async_accept(upgrade, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  asio::co_spawn(
      ws_.get_executor(), [self]() { return self->WriteLoop(); }, asio::detached);
  co_await ReadLoop();
}

asio::awaitable<void> WebSocketSession::ReadLoop() {
  beast::flat_buffer buffer;
  while (!closing_) {
    buffer.clear();
    auto [ec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    // Closed by the peer, or a protocol violation (oversized: 1009, bad UTF-8:
    // 1007) that Beast has already answered with a close frame.
    if (ec) break;
    if (!ws_.got_text()) {
      Fail(nullptr, "bad_request", "binary frames are not supported; send JSON text");
      continue;
    }
    // One message at a time, as before: replies keep the order of requests.
    co_await Handle(beast::buffers_to_string(buffer.data()));
  }
  reader_done_ = true;
  closing_ = true;
  waker_->Wake();
}

asio::awaitable<void> WebSocketSession::Handle(std::string_view text) {
  auto msg = ParseJsonObject(text);
  if (!msg) co_return Fail(nullptr, "bad_request", msg.error().message);
  const json id = msg->contains("id") ? (*msg)["id"] : json();
  auto type = StringField(*msg, "type");
  if (!type) co_return Fail(id, "bad_request", "'type' (a string) is required");
  if (*type == "create") co_return co_await Create(*msg, id);
  if (*type == "prompt") co_return co_await Prompt(*msg, id);
  Dispatch(*type, *msg, id);
}

asio::awaitable<void> WebSocketSession::Create(const json& msg, const json& id) {
  auto request = ParseCreateRequest(msg);
  if (!request) co_return Fail(id, "bad_request", request.error().message);
  sv::SessionManager& sessions = ctx_.sessions;
  // A named local, not a temporary in the co_await expression: GCC 12 destroys
  // such temporaries twice.
  std::function<sv::SvResult<sv::CreateResult>()> work = [&sessions, tenant = tenant_,
                                                          request = std::move(*request)] {
    return sessions.Create(tenant, request);
  };
  auto created = co_await sv::AsyncLaunch<sv::CreateResult>(sessions.Launches(), std::move(work),
                                                            asio::use_awaitable);
  if (!created)
    co_return Fail(id, sv::ErrorKindCode(created.error().kind), created.error().message);
  Ack(id,
      {{"created", created->created}, {"session", SessionToJson(created->session->Snapshot())}});
}

asio::awaitable<void> WebSocketSession::Prompt(const json& msg, const json& id) {
  auto session_id = StringField(msg, "session_id");
  if (!session_id) co_return Fail(id, "bad_request", "'session_id' (a string) is required");
  auto session = ctx_.sessions.Get(tenant_, *session_id);
  if (!session) co_return Fail(id, "not_found", "no such session");
  auto text = ParsePromptText(msg);
  if (!text) co_return Fail(id, "bad_request", text.error().message);
  auto turn = (*session)->SendIfRunning(*text);
  if (!turn) {  // stopped: the restart runs on a launcher thread
    std::function<sv::SvResult<std::uint64_t>()> work = [s = *session, t = std::string(*text)] {
      return s->SendMessage(t);
    };
    turn = co_await sv::AsyncLaunch<std::uint64_t>(ctx_.sessions.Launches(), std::move(work),
                                                   asio::use_awaitable);
  }
  if (!*turn) co_return Fail(id, sv::ErrorKindCode((*turn).error().kind), (*turn).error().message);
  Ack(id, {{"turn", **turn}});
}

void WebSocketSession::Dispatch(const std::string& type, const json& msg, const json& id) {
  auto session_id = StringField(msg, "session_id");
  if (!session_id) return Fail(id, "bad_request", "'session_id' (a string) is required");
  if (type == "attach") return Attach(msg, id);
  if (type == "detach") {
    if (auto it = subscriptions_.find(*session_id); it != subscriptions_.end()) {
      it->second->Close();
      subscriptions_.erase(it);
    }
    return Ack(id);
  }
  auto session = ctx_.sessions.Get(tenant_, *session_id);
  if (!session) return Fail(id, "not_found", "no such session");
  if (type == "interrupt") {
    auto done = (*session)->Interrupt();
    if (!done) return Fail(id, sv::ErrorKindCode(done.error().kind), done.error().message);
    return Ack(id);
  }
  if (type == "permission") {
    auto answer = ParsePermissionAnswer(msg);
    auto request_id = StringField(msg, "request_id");
    if (!answer || !request_id) {
      return Fail(id, "bad_request", "permission needs request_id and behavior allow|deny");
    }
    auto done = (*session)->AnswerPermission(*request_id, answer->allow, answer->message);
    if (!done) return Fail(id, sv::ErrorKindCode(done.error().kind), done.error().message);
    return Ack(id);
  }
  Fail(id, "bad_request", "unknown message type '" + type + "'");
}

void WebSocketSession::Attach(const json& msg, const json& id) {
  const std::string session_id = *StringField(msg, "session_id");
  std::uint64_t after = 0;
  if (auto it = msg.find("after"); it != msg.end() && !it->is_null()) {
    if (!it->is_number_unsigned())
      return Fail(id, "bad_request", "'after' must be a sequence number");
    after = it->get<std::uint64_t>();
  }
  auto session = ctx_.sessions.Get(tenant_, session_id);
  if (!session) return Fail(id, "not_found", "no such session");
  if (auto it = subscriptions_.find(session_id); it != subscriptions_.end()) it->second->Close();
  std::weak_ptr<Waker> weak = waker_;
  subscriptions_[session_id] = (*session)->Events().Subscribe(
      after, {ctx_.events.subscriber_queue, ctx_.events.subscriber_queue_bytes}, [weak] {
        if (auto w = weak.lock()) w->Wake();
      });
  // The ack goes out before the replayed events (the writer sends replies first).
  Ack(id, {{"session_id", session_id}, {"after", after}});
}

void WebSocketSession::Reply(json reply) {
  if (replies_.size() >= kMaxPendingReplies) {
    // The client sends faster than it reads its replies.
    close_reason_ =
        websocket::close_reason(websocket::close_code::try_again_later, "too many unread replies");
    closing_ = true;
  } else {
    replies_.push_back(DumpJson(reply));
  }
  waker_->Wake();
}

void WebSocketSession::Ack(const json& id, json extra) {
  json reply = {{"type", "ack"}};
  if (!id.is_null()) reply["id"] = id;
  for (auto& [k, v] : extra.items()) reply[k] = v;
  Reply(std::move(reply));
}

void WebSocketSession::Fail(const json& id, const std::string& code, const std::string& message) {
  json reply = {{"type", "error"}, {"error", {{"code", code}, {"message", message}}}};
  if (!id.is_null()) reply["id"] = id;
  Reply(std::move(reply));
}

// Drains at most kStreamBatchBytes of event footprint over all attachments (at
// least one event), so a batch in flight stays small whatever the backlog.
// Rounds start where the last one ran out of budget: a busy attachment cannot
// starve the others into overflowing.
void WebSocketSession::CollectEvents(std::vector<SharedText>& out) {
  std::vector<std::string> order;
  for (const auto& [id, sub] : subscriptions_) order.push_back(id);
  std::rotate(order.begin(), std::lower_bound(order.begin(), order.end(), resume_from_),
              order.end());
  std::vector<sv::EventPtr> events;
  std::size_t budget = kStreamBatchBytes;
  for (const auto& id : order) {
    if (budget == 0) {
      resume_from_ = id;
      break;
    }
    auto it = subscriptions_.find(id);
    events.clear();
    const bool open = it->second->Drain(events, budget);
    std::uint64_t bytes = 0;
    for (const auto& e : events) {
      out.push_back(EventToJsonText(*e));  // shared with the other subscribers, not copied
      bytes += out.back()->size();
    }
    budget -= std::min<std::size_t>(budget, std::max<std::uint64_t>(bytes, events.size()));
    if (!events.empty()) sv::Metrics::Global().EventsBrokered(events.size(), bytes);
    if (!open && Overflowed(events)) {
      close_reason_ = websocket::close_reason(websocket::close_code::try_again_later,
                                              "slow consumer: resume with after");
      closing_ = true;
    }
    if (!open) subscriptions_.erase(it);
  }
}

// A client that stops reading must not hold this connection forever: while a
// batch is written, the socket is closed once no write has completed for
// request_timeout. One timer per batch, not per event: arming and cancelling it
// per message cost a handler run per event.
void WebSocketSession::ArmWriteDeadline() {
  write_deadline_.expires_at(write_progress_ + ctx_.http.request_timeout);
  write_deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || !self->writing_) return;
    if (std::chrono::steady_clock::now() - self->write_progress_ <
        self->ctx_.http.request_timeout) {
      return self->ArmWriteDeadline();  // writes went on since it was armed
    }
    beast::get_lowest_layer(self->ws_).close();
  });
}

asio::awaitable<bool> WebSocketSession::WriteBatch(const std::vector<SharedText>& batch) {
  if (batch.empty()) co_return true;
  writing_ = true;
  write_progress_ = std::chrono::steady_clock::now();
  ArmWriteDeadline();
  ws_.text(true);
  // The messages leave in sendmsg calls of about kCorkBytes, not one per event.
  auto& cork = ws_.next_layer();
  cork.Cork();
  bool ok = true;
  for (const auto& text : batch) {
    auto [ec, n] =
        co_await ws_.async_write(asio::buffer(*text), asio::as_tuple(asio::use_awaitable));
    if (!ec && cork.Held() >= kCorkBytes) ec = co_await cork.Flush();
    if (ec) {
      ok = false;
      break;
    }
    write_progress_ = std::chrono::steady_clock::now();
  }
  if (const auto ec = co_await cork.Uncork(); ec) ok = false;
  writing_ = false;
  write_deadline_.cancel();
  co_return ok;
}

asio::awaitable<void> WebSocketSession::WriteLoop() {
  auto self = shared_from_this();
  std::vector<SharedText> batch;
  bool ok = true;
  while (ok) {
    for (auto& reply : replies_) {
      batch.push_back(std::make_shared<const std::string>(std::move(reply)));
    }
    replies_.clear();
    CollectEvents(batch);
    // A batch drains part of a backlog (and the notifier only fires when a
    // queue turns non-empty): wait only once a round found nothing to send.
    const bool idle = batch.empty();
    ok = co_await WriteBatch(batch);
    batch.clear();
    if (!ok || closing_ || ctx_.stopping.load()) break;
    if (idle) co_await waker_->Wait(std::chrono::hours(1));
  }
  for (auto& [id, sub] : subscriptions_) sub->Close();
  subscriptions_.clear();
  if (ok && !reader_done_ && ws_.is_open()) {
    if (close_reason_.code == websocket::close_code::none) {
      close_reason_ = websocket::close_reason(websocket::close_code::going_away, "closing");
    }
    write_deadline_.expires_after(ctx_.http.request_timeout);
    write_deadline_.async_wait([self](boost::system::error_code ec) {
      if (!ec) beast::get_lowest_layer(self->ws_).close();
    });
    co_await ws_.async_close(close_reason_, asio::as_tuple(asio::use_awaitable));
    write_deadline_.cancel();
  }
}

}  // namespace hotplex::api
