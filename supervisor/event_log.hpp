// EventLog: a session's ordered event log.
//
// Publish() stamps each event with the next sequence number and the time,
// keeps it in a ring bounded in events AND bytes (EventSize footprints; the
// oldest events are dropped while either bound is exceeded, the newest is
// always kept; Dropped() counts them) for replay, hands it to the transcript
// sink, and offers it to every live Subscription without ever blocking.
// Subscribe(after) first replays the ring from seq > after, then streams live
// events, with no gap and no duplicate. When the transcript sink reports that
// the session's transcript quota was reached, the log publishes an `error`
// event `transcript_quota` right after the event that crossed it.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "supervisor/event.hpp"
#include "supervisor/event_size.hpp"
#include "supervisor/subscription.hpp"
#include "supervisor/transcript_store.hpp"

namespace hotplex::supervisor {

inline constexpr std::size_t kDefaultRingEvents = 4096;
inline constexpr std::size_t kDefaultRingBytes = 8u << 20;

// The replay ring's bounds (daemon config events.ring_size, events.ring_bytes).
struct RingLimits {
  // Implicit from a count: the byte bound then is the default.
  RingLimits(std::size_t max_events = kDefaultRingEvents,  // NOLINT
             std::size_t max_bytes = kDefaultRingBytes)
      : events(max_events == 0 ? 1 : max_events), bytes(max_bytes == 0 ? 1 : max_bytes) {}
  std::size_t events;
  std::size_t bytes;
};

class EventLog {
 public:
  // `first_seq` continues a log across daemon restarts (events themselves are not
  // persisted, their numbering is). `tenant_id` is whose transcript quota the
  // session's events count against.
  EventLog(std::string session_id, RingLimits ring, std::uint64_t first_seq = 1,
           TranscriptSink* transcripts = nullptr, std::string tenant_id = {});

  EventPtr Publish(EventPayload payload);
  // Replays the ring after `after_seq`, then streams. If events the client asked
  // for are no longer in the ring, the replay starts with an `events_lost` error.
  SubscriptionPtr Subscribe(std::uint64_t after_seq, SubscriberLimits limits,
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
  std::size_t RingBytes() const;  // footprints of the events in the ring

 private:
  struct Entry {
    EventPtr event;
    std::size_t bytes = 0;
  };
  EventPtr MakeEvent(std::uint64_t seq, EventPayload payload) const;
  // Persists, rings and fans out one numbered event; true when it crossed the
  // transcript quota (then `quota_message` says which).
  bool AddLocked(const EventPtr& event, std::string* quota_message);
  void TrimLocked();

  std::string session_id_;  // under mu_ (changes only in Rename)
  const std::string tenant_id_;
  const RingLimits limits_;
  TranscriptSink* const transcripts_;  // every published event, in seq order (may be null)
  mutable std::mutex mu_;
  std::deque<Entry> ring_;
  std::size_t ring_bytes_ = 0;
  std::uint64_t next_seq_;
  std::uint64_t dropped_ = 0;
  std::vector<SubscriptionPtr> subscribers_;
};

}  // namespace hotplex::supervisor
