#include "api/admin_streams.hpp"

#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/event_json.hpp"
#include "api/waker.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::api {
namespace asio = boost::asio;
namespace sv = supervisor;
using nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kWatchInterval{250};
constexpr std::size_t kTranscriptChunk = 500;  // lines per write, and
constexpr std::size_t kChunkBytes = 1u << 20;  // bytes per write (plus one line)
constexpr std::size_t kExportPage = 500;

std::string StreamHeader(std::string_view content_type) {
  return "HTTP/1.1 200 OK\r\nServer: hotplexd\r\nContent-Type: " + std::string(content_type) +
         "\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
}

std::string SseFrame(std::string_view event, const json& data) {
  return "event: " + std::string(event) + "\ndata: " + DumpJson(data) + "\n\n";
}

asio::awaitable<void> Sleep(StreamWriter& out, std::chrono::milliseconds d) {
  asio::steady_timer timer(out.Executor(), d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

using SessionView = std::map<std::string, json>;

SessionView Snapshot(ApiContext& ctx) {
  SessionView view;
  for (const auto& s : ctx.sessions.ListAll()) view.emplace(s->Id(), AdminSessionJson(*s));
  return view;
}

std::string KeepAlive() { return ": keep-alive\n\n"; }

std::string SnapshotFrame(const SessionView& view) {
  json list = json::array();
  for (const auto& [id, j] : view) list.push_back(j);
  return SseFrame("snapshot", {{"sessions", std::move(list)}});
}

std::string ErrorLine(const std::string& message) {
  return DumpJson({{"error", {{"code", "internal"}, {"message", message}}}}) + "\n";
}

// The frames that turn `before` into `after`.
std::string Diff(const SessionView& before, const SessionView& after) {
  std::string frames;
  for (const auto& [id, j] : after) {
    auto it = before.find(id);
    if (it == before.end() || it->second != j) frames += SseFrame("session", j);
  }
  for (const auto& [id, j] : before) {
    if (!after.contains(id)) {
      frames += SseFrame("removed", {{"id", id}, {"tenant", j.value("tenant", "")}});
    }
  }
  return frames;
}

// The transcript's events after `after`, as SSE frames, in chunks; returns the last seq.
asio::awaitable<std::optional<std::uint64_t>> ReplayTranscript(StreamWriter& out, ApiContext& ctx,
                                                               const std::string& id,
                                                               std::uint64_t after) {
  while (true) {
    std::string frames;
    std::size_t n = 0;
    bool full = false;
    auto last = ctx.transcripts->Read(id, after, [&](std::string_view line) {
      const json e = json::parse(line, nullptr, false);
      const auto seq = e.is_object() ? e.value("seq", std::uint64_t{0}) : 0;
      if (seq != 0) frames += "id: " + std::to_string(seq) + "\n";
      frames += SseFrame(e.is_object() ? e.value("type", "event") : "event", e);
      full = ++n >= kTranscriptChunk || frames.size() >= kChunkBytes;
      return !full;
    });
    if (!last) co_return std::nullopt;
    if (!frames.empty() && !co_await out.Write(std::move(frames))) co_return std::nullopt;
    after = *last;
    if (!full) co_return after;
  }
}

}  // namespace

asio::awaitable<void> ServeSessionsWatch(StreamWriter& out, ApiContext& ctx) {
  SessionView view = Snapshot(ctx);
  // (Built before the co_await: GCC 12 miscompiles braced lists inside one.)
  std::string first = StreamHeader("text/event-stream") + SnapshotFrame(view);
  bool ok = co_await out.Write(std::move(first));
  auto idle = std::chrono::steady_clock::now();
  while (ok && !ctx.stopping.load()) {
    co_await Sleep(out, kWatchInterval);
    SessionView next = Snapshot(ctx);
    std::string frames = Diff(view, next);
    view = std::move(next);
    const auto now = std::chrono::steady_clock::now();
    if (frames.empty() && now - idle >= ctx.http.sse_keepalive) frames = KeepAlive();
    if (frames.empty()) continue;
    idle = now;
    ok = co_await out.Write(std::move(frames));
  }
}

asio::awaitable<void> ServeTranscriptFollow(StreamWriter& out, ApiContext& ctx,
                                            std::string session_id, std::uint64_t after) {
  std::string header = StreamHeader("text/event-stream");
  if (!co_await out.Write(std::move(header))) co_return;
  auto last = co_await ReplayTranscript(out, ctx, session_id, after);
  auto session = ctx.sessions.GetAny(session_id);
  if (!last || !session) co_return;  // a session that is gone has nothing live to add
  auto waker = std::make_shared<Waker>(out.Executor());
  std::weak_ptr<Waker> weak = waker;
  auto sub = (*session)->Events().Subscribe(
      *last, {ctx.events.subscriber_queue, ctx.events.subscriber_queue_bytes}, [weak] {
        if (auto w = weak.lock()) w->Wake();
      });
  session->reset();
  std::vector<sv::EventPtr> events;
  bool ok = true;
  while (ok && !ctx.stopping.load()) {
    events.clear();
    const bool open = sub->Drain(events, kStreamBatchBytes);
    std::string frames;
    for (const auto& e : events) AppendSseFrame(frames, *e);
    if (!frames.empty()) ok = co_await out.Write(std::move(frames));
    if (!open) break;
    if (!events.empty()) continue;  // part of a backlog: drain on before waiting
    if (ok && !co_await waker->Wait(ctx.http.sse_keepalive)) {
      ok = co_await out.Write(KeepAlive());
    }
  }
  sub->Close();
}

asio::awaitable<void> ServeAuditExport(StreamWriter& out, ApiContext& ctx, sv::AuditFilter filter) {
  std::string header = StreamHeader("application/x-ndjson");
  if (!co_await out.Write(std::move(header))) co_return;
  filter.limit = kExportPage;
  // Page by page (bounded memory, one write per page) instead of one Export()
  // callback that could not wait for a slow client.
  while (true) {
    auto page = ctx.audit_reader->Query(filter);
    if (!page) {
      co_await out.Write(ErrorLine(page.error().Describe()));
      co_return;
    }
    std::string lines;
    for (const auto& e : page->entries) lines += DumpJson(sv::AuditEntryToJson(e)) + "\n";
    if (!lines.empty() && !co_await out.Write(std::move(lines))) co_return;
    if (!page->next_after) co_return;
    filter.after_seq = *page->next_after;
  }
}

}  // namespace hotplex::api
