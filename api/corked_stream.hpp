// CorkedStream: the layer under a WebSocket connection's Beast stream that can
// hold writes back and send them together, like TCP_CORK in user space.
//
// Beast writes every WebSocket message with its own write to the socket: a
// sendmsg per event, and on a VM a syscall costs more than encoding the event.
// The writer of a batch of events corks the stream, writes the messages (each
// write only appends its bytes to `held_` and completes at once), and then
// flushes: one sendmsg for the batch.
//
// Ordering: every write goes through the Beast stream above, which lets one
// write run at a time, so bytes are held in the order Beast wrote them; writes
// Beast makes on its own while corked (a pong, a keep-alive ping) are held and
// flushed with the batch. Flush() writes a copy (`sending_`) so that bytes
// appended meanwhile never move memory that is being sent. Uncorked, writes go
// straight to the socket. A peer's close answered while corked is held too; if
// Beast then tears the connection down before the flush, the client sees the
// connection end without our close frame (it asked to close anyway).
//
// Thread-safety: like the Beast stream, used on the connection's strand only.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace hotplex::api {

class CorkedStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using next_layer_type = boost::beast::tcp_stream;

  explicit CorkedStream(boost::beast::tcp_stream stream) : next_(std::move(stream)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }
  const next_layer_type& next_layer() const noexcept { return next_; }

  // Holds every write from now until Uncork().
  void Cork() { corked_ = true; }
  // Bytes held, not yet flushed.
  std::size_t Held() const { return held_.size(); }
  // Sends what is held; the stream stays corked.
  boost::asio::awaitable<boost::system::error_code> Flush() {
    while (!held_.empty()) {
      sending_.swap(held_);
      held_.clear();
      auto [ec, n] = co_await boost::asio::async_write(
          next_, boost::asio::buffer(sending_), boost::asio::as_tuple(boost::asio::use_awaitable));
      sending_.clear();
      if (ec) co_return ec;
    }
    co_return boost::system::error_code{};
  }
  // Flushes, then lets writes through again.
  boost::asio::awaitable<boost::system::error_code> Uncork() {
    const auto ec = co_await Flush();
    corked_ = false;
    held_.clear();  // empty unless the flush failed: the connection is gone then
    co_return ec;
  }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          if (!corked_) {
            next_.async_write_some(b, std::move(handler));
            return;
          }
          std::size_t n = 0;
          for (const auto piece : boost::beast::buffers_range_ref(b)) {
            held_.append(static_cast<const char*>(piece.data()), piece.size());
            n += piece.size();
          }
          // Completes at once, but never inside the initiating call.
          boost::asio::post(
              next_.get_executor(),
              boost::asio::append(std::move(handler), boost::system::error_code{}, n));
        },
        token, buffers);
  }

 private:
  boost::beast::tcp_stream next_;
  bool corked_ = false;
  std::string held_;     // written while corked, not yet flushed
  std::string sending_;  // being flushed
};

// Beast's close handshake and its timeouts end the connection at the socket.
inline void teardown(boost::beast::role_type role, CorkedStream& stream,
                     boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, CorkedStream& stream, TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace hotplex::api
