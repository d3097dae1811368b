#include "api/sse_stream.hpp"

#include <array>

#include <boost/asio/write.hpp>

#include "api/event_json.hpp"
#include "api/waker.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr std::string_view kSseHeader =
    "HTTP/1.1 200 OK\r\n"
    "Server: hotplexd\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Accel-Buffering: no\r\n"
    "Connection: close\r\n\r\n";

// SSE clients never send after the request: any read completion means they
// closed (or broke) the connection. Reads the raw socket so that the
// tcp_stream's write deadlines do not apply to it.
void WatchForDisconnect(beast::tcp_stream& stream, std::shared_ptr<bool> gone,
                        std::weak_ptr<Waker> waker) {
  auto buffer = std::make_shared<std::array<char, 256>>();
  stream.socket().async_read_some(asio::buffer(*buffer),
                                  [buffer, gone, waker](boost::system::error_code, std::size_t) {
                                    *gone = true;
                                    if (auto w = waker.lock()) w->Wake();
                                  });
}

asio::awaitable<bool> WriteAll(beast::tcp_stream& stream, const std::string& data,
                               std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(stream, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

}  // namespace

asio::awaitable<void> ServeSse(beast::tcp_stream& stream, ApiContext& ctx,
                               supervisor::SessionPtr session, std::uint64_t after) {
  auto waker = std::make_shared<Waker>(stream.get_executor());
  auto gone = std::make_shared<bool>(false);
  std::weak_ptr<Waker> weak = waker;
  auto sub = session->Events().Subscribe(
      after, {ctx.events.subscriber_queue, ctx.events.subscriber_queue_bytes}, [weak] {
        if (auto w = weak.lock()) w->Wake();
      });
  session.reset();  // the subscription is all this stream needs
  bool ok = co_await WriteAll(stream, std::string(kSseHeader), ctx.http.request_timeout);
  if (ok) WatchForDisconnect(stream, gone, waker);
  std::vector<supervisor::EventPtr> events;
  while (ok && !*gone) {
    events.clear();
    const bool open = sub->Drain(events, kStreamBatchBytes);
    // One copy of each shared event text, into this stream's write buffer
    // (a gather write of the shared buffers would cost a sendmsg per ~20
    // small events: asio passes at most 64 iovecs).
    std::string frames;
    for (const auto& e : events) AppendSseFrame(frames, *e);
    if (!frames.empty()) {
      ok = co_await WriteAll(stream, frames, ctx.http.request_timeout);
      if (ok) supervisor::Metrics::Global().EventsBrokered(events.size(), frames.size());
    }
    if (!open || ctx.stopping.load()) break;
    // Part of a backlog was written: drain on before waiting (the notifier
    // fires only when the queue turns non-empty).
    if (!events.empty()) continue;
    if (ok && !co_await waker->Wait(ctx.http.sse_keepalive) && !*gone) {
      ok = co_await WriteAll(stream, ": keep-alive\n\n", ctx.http.request_timeout);
    }
  }
  sub->Close();
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream.close();
}

}  // namespace hotplex::api
