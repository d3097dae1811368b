// TranscriptStore: every event of every session, persisted for the admin
// transcript route (GET /admin/v1/sessions/{id}/transcript) and
// `hotplexd session logs`.
//
// One append-only NDJSON file per session, <dir>/<session-id>.ndjson, one
// event per line, encoded by the EventEncoder given to Open() (the Daemon gives
// api::EventToJsonText, the shape api/PROTOCOL.md documents: the supervisor
// keeps events typed and knows no wire format). Files are opened beneath the
// directory's fd and never through a link (TranscriptDir). EventLog::Publish
// hands each event to Append(), which only queues it: a background writer
// thread appends the lines, so a session's strand never waits for the disk.
// The queue is bounded (queue_limit events and queue_bytes of footprint over
// all sessions); on overflow the event is dropped, Dropped() counts it, and the
// next line written for that session is a marker
// {"seq":0,"type":"error","data":{"code":"transcript_lost",...}}.
//
// Quotas: a session's file stops at session_quota bytes, and a tenant's files
// together at tenant_quota. Append() counts each event's encoded size bound
// when it queues it; the event that would cross a quota is refused and Append
// returns a message, which the EventLog publishes as an `error` event
// `transcript_quota` (the store keeps room for that one line, so the file ends
// with it and stays within the quota). Later events of that session are not
// persisted; the live stream goes on. Usage is known for the files this daemon
// wrote to since it started (an existing file's size is read the first time its
// session publishes); Remove() (retention) gives the bytes back.
// Transcripts outlive DELETE (like the workspace); they are removed by the
// audit retention (see supervisor/audit/AUDIT.md), never by the session.
//
// Following a transcript without gaps or duplicates (the hand-over by seq):
//   1. last = Read(id, after, each)   // flushes the queue first, so the file holds
//                                     // every event published before the call
//   2. sub = session->Events().Subscribe(last, ...)  // live, from the replay ring
// Every event with seq <= last came from disk, every later one from the ring;
// the ring covers the events published between 1 and 2.
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
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.hpp"
#include "supervisor/event.hpp"
#include "supervisor/event_size.hpp"
#include "supervisor/transcript_dir.hpp"

namespace hotplex::supervisor {

struct TranscriptOptions {
  std::string dir;                           // usually <state_dir>/transcripts (created, mode 0700)
  std::size_t queue_limit = 65536;           // queued events over all sessions; overflow drops
  std::size_t queue_bytes = 64u << 20;       // queued footprint over all sessions; overflow drops
  std::uint64_t session_quota = 64u << 20;   // bytes of one session's file
  std::uint64_t tenant_quota = 1024u << 20;  // bytes of one tenant's files together
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
  // Never blocks; called under the EventLog's lock, in seq order. Returns a
  // message when this event crossed the session's or the tenant's quota (once
  // per session): the log then publishes it as a `transcript_quota` error.
  virtual std::optional<std::string> Append(std::string_view tenant_id, const EventPtr& event,
                                            const EventSize& size) = 0;
};

// One event as the JSON object of its transcript line (no newline). Called on
// the writer thread; the text may be shared with other readers of the event.
using EventEncoder = std::function<std::shared_ptr<const std::string>(const Event&)>;

class TranscriptStore : public TranscriptSink {
 public:
  static Result<std::unique_ptr<TranscriptStore>> Open(TranscriptOptions options,
                                                       EventEncoder encode);
  ~TranscriptStore() override;  // writes what is queued, then stops the writer

  std::optional<std::string> Append(std::string_view tenant_id, const EventPtr& event,
                                    const EventSize& size) override;
  // Calls `each` with every persisted event of `session_id` whose seq > after_seq,
  // in seq order (one JSON object, no newline); stops after the call for which
  // `each` returns false. Flushes the queue first. Returns the seq of the last
  // event passed to `each` (after_seq when none): the cursor for the next page
  // and the `after` of the live subscription. No transcript reads as empty.
  Result<std::uint64_t> Read(std::string_view session_id, std::uint64_t after_seq,
                             const std::function<bool(std::string_view line)>& each);
  // Waits until every event appended before the call is written to its file.
  void Flush();
  // Removes a session's transcript (retention) and gives its bytes back to the quotas.
  hotplex::Status Remove(std::string_view session_id);
  std::uint64_t Dropped() const;

 private:
  enum class QuotaState { kOpen, kMarkerDue, kClosed };
  struct SessionUsage {
    std::string tenant;
    std::uint64_t bytes = 0;  // on disk and queued (encoded size bounds)
    QuotaState state = QuotaState::kOpen;
  };
  struct Queued {
    EventPtr event;
    std::size_t footprint = 0;
  };

  TranscriptStore(TranscriptOptions options, EventEncoder encode, TranscriptDir dir);
  void WriterLoop();
  void WriteBatch(std::deque<Queued>& batch, std::map<std::string, std::uint64_t>& lost);
  SessionUsage& UsageLocked(const std::string& session_id, std::string_view tenant_id);
  std::optional<std::string> QuotaCrossedLocked(const SessionUsage& usage, std::size_t bytes);
  bool AcceptMarkerLocked(SessionUsage& usage, const EventPtr& event, const EventSize& size);
  void QueueLocked(const EventPtr& event, const EventSize& size, SessionUsage& usage);

  const TranscriptOptions options_;
  const EventEncoder encode_;
  const TranscriptDir dir_;
  mutable std::mutex mu_;
  std::condition_variable wake_;      // the writer: work queued or stopping
  std::condition_variable progress_;  // Flush(): a batch was written
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;               // footprints queued or being written
  std::map<std::string, std::uint64_t> lost_;  // per session, dropped since its last line
  std::map<std::string, SessionUsage, std::less<>> usage_;     // per session
  std::map<std::string, std::uint64_t, std::less<>> tenants_;  // bytes per tenant
  std::uint64_t appended_ = 0;                                 // events accepted or dropped, ever
  std::uint64_t written_ = 0;                                  // of those, handled by the writer
  std::uint64_t dropped_ = 0;
  int flush_waiters_ = 0;  // Flush() calls waiting: the writer does not linger
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace hotplex::supervisor
