// Waker: lets any thread wake a coroutine that runs on a connection's strand
// (the event log's subscription notifier calls Wake(); the connection's writer
// co_awaits Wait()). A wake-up that arrives while nobody waits is remembered.
// Thread-safety: Wake() from any thread; Wait() on the owning strand only.
#pragma once

#include <cstddef>

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hotplex::api {

// How much event footprint (supervisor/event_size.hpp) a woken stream drains
// and writes per batch (SSE, WebSocket, admin follow): what a connection whose
// socket is full can pin beyond its subscriber queue (api/CONFIG.md).
inline constexpr std::size_t kStreamBatchBytes = 256 * 1024;

class Waker : public std::enable_shared_from_this<Waker> {
 public:
  explicit Waker(boost::asio::any_io_executor strand) : timer_(strand) {}

  void Wake() {
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->pending_ = true;
      self->timer_.cancel();
    });
  }

  // Returns true when woken, false when `timeout` passed first.
  boost::asio::awaitable<bool> Wait(std::chrono::milliseconds timeout) {
    if (!pending_) {
      timer_.expires_after(timeout);
      co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    const bool woken = pending_;
    pending_ = false;
    co_return woken;
  }

 private:
  boost::asio::steady_timer timer_;
  bool pending_ = false;
};

}  // namespace hotplex::api
