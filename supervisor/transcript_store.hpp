// TranscriptStore: every event of every session, persisted for the admin
// transcript route (GET /admin/v1/sessions/{id}/transcript) and
// `hotplexd session logs`.
//
// One append-only NDJSON file per session, <dir>/<session-id>.ndjson, one
// event per line, encoded exactly as api/PROTOCOL.md documents events
// (EventToJsonText, supervisor/event_json.hpp). EventLog::Publish hands each
// event to Append(), which only queues it: a background writer thread appends
// the lines, so a session's strand never waits for the disk. The queue is
// bounded (queue_limit events over all sessions); on overflow the event is
// dropped, Dropped() counts it, and the next line written for that session is
// a marker {"seq":0,"type":"error","data":{"code":"transcript_lost",...}}.
// Transcripts outlive DELETE (like the workspace); they are removed by the
// audit retention (see supervisor/AUDIT.md), never by the session.
//
// Following a transcript without gaps or duplicates (the hand-over by seq):
//   1. last = Read(id, after, each)   // flushes the queue first, so the file holds
//                                     // every event published before the call
//   2. sub = session->Events().Subscribe(last, ...)  // live, from the replay ring
// Every event with seq <= last came from disk, every later one from the ring;
// the ring (ring_capacity events) covers the events published between 1 and 2.
// If the session is gone (deleted, or not loaded), step 1 alone is the answer.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.hpp"
#include "supervisor/event.hpp"

namespace hotplex::supervisor {

struct TranscriptOptions {
  std::string dir;                  // usually <state_dir>/transcripts (created, mode 0700)
  std::size_t queue_limit = 65536;  // queued events over all sessions; overflow drops
  // A streaming turn is written in batches, not an event at a time: once woken,
  // the writer waits up to `linger` for `batch` events to gather (Flush() and
  // stopping cut it short). Waking the writer per event cost a futex pair per
  // event on the agent's reader path.
  std::chrono::milliseconds linger{2};
  std::size_t batch = 256;
};

// What EventLog hands each published event to (so event_log.hpp needs no store).
class TranscriptSink {
 public:
  virtual ~TranscriptSink() = default;
  // Never blocks; called under the EventLog's lock, in seq order.
  virtual void Append(const EventPtr& event) = 0;
};

class TranscriptStore : public TranscriptSink {
 public:
  static Result<std::unique_ptr<TranscriptStore>> Open(TranscriptOptions options);
  ~TranscriptStore() override;  // writes what is queued, then stops the writer

  void Append(const EventPtr& event) override;
  // Calls `each` with every persisted event of `session_id` whose seq > after_seq,
  // in seq order (one JSON object, no newline); stops after the call for which
  // `each` returns false. Flushes the queue first. Returns the seq of the last
  // event passed to `each` (after_seq when none): the cursor for the next page
  // and the `after` of the live subscription. No transcript reads as empty.
  Result<std::uint64_t> Read(std::string_view session_id, std::uint64_t after_seq,
                             const std::function<bool(std::string_view event_json)>& each);
  // Waits until every event appended before the call is written to its file.
  void Flush();
  // Removes a session's transcript (retention).
  hotplex::Status Remove(std::string_view session_id);
  std::uint64_t Dropped() const;
  const std::string& Dir() const { return options_.dir; }

 private:
  explicit TranscriptStore(TranscriptOptions options);
  void WriterLoop();
  void WriteBatch(std::deque<EventPtr>& batch, std::map<std::string, std::uint64_t>& lost);
  std::string PathOf(std::string_view session_id) const;

  const TranscriptOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;      // the writer: work queued or stopping
  std::condition_variable progress_;  // Flush(): a batch was written
  std::deque<EventPtr> queue_;
  std::map<std::string, std::uint64_t> lost_;  // per session, dropped since its last line
  std::uint64_t appended_ = 0;                 // events accepted or dropped, ever
  std::uint64_t written_ = 0;                  // of those, handled by the writer
  std::uint64_t dropped_ = 0;
  int flush_waiters_ = 0;  // Flush() calls waiting: the writer does not linger
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace hotplex::supervisor
