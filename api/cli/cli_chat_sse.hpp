// SseParser: the Server-Sent Events wire format (the WHATWG event-stream
// grammar) as `hotplexd chat` reads it from GET /v1/sessions/{id}/events.
// Bytes go in as they arrive, whole events come out. Lines end in \n, \r\n or
// \r; `:` lines are comments (keep-alives); `data:` lines join with \n. An
// event larger than the bound is dropped whole and counted, so a hostile or
// broken server cannot make the client buffer without limit.
// Thread-safety: one owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace hotplex::cli {

struct SseEvent {
  std::string id;     // the `id:` field; empty when the event had none
  std::string event;  // the `event:` field
  std::string data;   // `data:` lines joined with \n
};

class SseParser {
 public:
  using Sink = std::function<void(SseEvent&&)>;

  // `max_event_bytes` bounds one event's fields and its pending line together.
  explicit SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

  // Feeds the next bytes of the stream; `sink` gets every event they complete.
  void Feed(std::string_view bytes, const Sink& sink);
  // Forgets a half-received event (the connection dropped; a new one starts clean).
  void Reset();
  // Events dropped because they exceeded max_event_bytes.
  std::uint64_t Oversized() const { return oversized_; }

 private:
  void EndLine(const Sink& sink);
  void Field(std::string_view line);
  std::size_t Pending() const { return line_.size() + current_.data.size() + current_.id.size(); }

  std::size_t max_event_bytes_;
  std::string line_;
  SseEvent current_;
  bool has_data_ = false;
  bool line_started_ = false;  // the current line has bytes (kept or discarded)
  bool after_cr_ = false;      // a \r ended the last line: a following \n belongs to it
  bool discarding_ = false;    // the current event went over the bound
  std::uint64_t oversized_ = 0;
};

}  // namespace hotplex::cli
