// The admin API's streaming routes: the live sessions table (SSE
// /admin/v1/sessions/watch), a transcript followed from disk into the live
// ring (SSE ?follow=1) and the audit export (NDJSON). Each takes the
// connection over (it ends with the stream, Connection: close).
//
// Streams write through a StreamWriter, so the same code serves plain TCP and
// TLS connections; every write has the connection's deadline, so a client that
// stops reading is cut off instead of holding anything.
// Thread-safety: each runs on its connection's strand.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "api/admin_routes.hpp"
#include "api/api_context.hpp"

namespace hotplex::api {

class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Writes everything (with the request deadline); false once the client is gone.
  virtual boost::asio::awaitable<bool> Write(std::string data) = 0;
  virtual boost::asio::any_io_executor Executor() = 0;
};

boost::asio::awaitable<void> ServeSessionsWatch(StreamWriter& out, ApiContext& ctx);
boost::asio::awaitable<void> ServeTranscriptFollow(StreamWriter& out, ApiContext& ctx,
                                                   std::string session_id, std::uint64_t after);
boost::asio::awaitable<void> ServeAuditExport(StreamWriter& out, ApiContext& ctx,
                                              supervisor::AuditFilter filter);

}  // namespace hotplex::api
