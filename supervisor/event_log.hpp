// EventLog: a session's ordered event log.
//
// Publish() stamps each event with the next sequence number and the time,
// keeps it in a bounded ring (the oldest event is dropped when the ring is
// full; Dropped() counts them) for replay, and offers it to every live
// Subscription without ever blocking. Subscribe(after) first replays the ring
// from seq > after, then streams live events, with no gap and no duplicate.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "supervisor/event.hpp"
#include "supervisor/subscription.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::supervisor {

class EventLog {
 public:
  // `first_seq` continues a log across daemon restarts (events themselves are not
  // persisted, their numbering is).
  EventLog(std::string session_id, std::size_t ring_capacity, std::uint64_t first_seq = 1,
           TranscriptSink* transcripts = nullptr);

  EventPtr Publish(EventPayload payload);
  // Replays the ring after `after_seq`, then streams. If events the client asked
  // for are no longer in the ring, the replay starts with an `events_lost` error.
  SubscriptionPtr Subscribe(std::uint64_t after_seq, std::size_t queue_limit,
                            Subscription::Notifier notifier);
  // Closes every subscription with `final_payload` (e.g. session deleted).
  void CloseAll(EventPayload final_payload);

  // Gives the log (and the events in its ring) another session id: a warm-pool
  // session takes its final id when adopted. Only before anyone subscribed.
  void Rename(std::string session_id);

  std::uint64_t LastSeq() const;
  std::uint64_t Dropped() const;
  std::vector<EventPtr> Snapshot(std::uint64_t after_seq) const;
  std::size_t SubscriberCount() const;

 private:
  EventPtr MakeEvent(std::uint64_t seq, EventPayload payload) const;

  std::string session_id_;  // under mu_ (changes only in Rename)
  const std::size_t capacity_;
  TranscriptSink* const transcripts_;  // every published event, in seq order (may be null)
  mutable std::mutex mu_;
  std::deque<EventPtr> ring_;
  std::uint64_t next_seq_;
  std::uint64_t dropped_ = 0;
  std::vector<SubscriptionPtr> subscribers_;
};

}  // namespace hotplex::supervisor
