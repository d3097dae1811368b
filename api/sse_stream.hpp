// SseStream: serves GET /v1/sessions/{id}/events as Server-Sent Events.
//
// Replays the session's ring after Last-Event-ID (or ?after=N), then streams
// live events (`id:` = seq, `event:` = type, `data:` = the event JSON) with a
// keep-alive comment when idle. The connection ends when the client goes
// away, when its subscription overflowed (after a final `slow_consumer`
// error event), when the session is deleted, or at shutdown. Every write has a
// deadline, so a client that stops reading never holds anything for long.
// Thread-safety: runs on the connection's strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "api/api_context.hpp"
#include "supervisor/session.hpp"

namespace hotplex::api {

boost::asio::awaitable<void> ServeSse(boost::beast::tcp_stream& stream, ApiContext& ctx,
                                      supervisor::SessionPtr session, std::uint64_t after);

}  // namespace hotplex::api
