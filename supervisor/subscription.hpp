// Subscription: one client's bounded view of a session's event log.
//
// The log pushes events with Offer(), which never blocks: when the queue holds
// `limits.events` live events or `limits.bytes` bytes (EventSize footprints,
// replayed events included), the subscription is closed with a final
// `slow_consumer` error event and its backlog is dropped, so a slow or
// malicious client can never slow the agent or the other subscribers, nor pin
// more than its queue bound (it resumes later with `after = last seq it saw`).
// An event is always accepted into an empty queue, so one larger than the
// bound cannot wedge a subscriber that keeps up.
//
// The consumer (an SSE or WebSocket connection) drains it with Drain(),
// `max_bytes` at a time, after the notifier told it that events are waiting.
// The notifier runs on the publisher's thread, only when the queue goes from
// empty to non-empty, and must only schedule work (e.g. asio::post): a consumer
// that drains part of the queue must drain again before it waits.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "supervisor/event.hpp"

namespace hotplex::supervisor {

inline constexpr std::size_t kDefaultSubscriberQueueEvents = 1024;
inline constexpr std::size_t kDefaultSubscriberQueueBytes = 16u << 20;

// How much one subscriber may have queued (daemon config events.subscriber_queue
// and events.subscriber_queue_bytes).
struct SubscriberLimits {
  // Implicit from a count: the byte bound then is the default.
  SubscriberLimits(std::size_t max_events = kDefaultSubscriberQueueEvents,  // NOLINT
                   std::size_t max_bytes = kDefaultSubscriberQueueBytes)
      : events(max_events == 0 ? 1 : max_events), bytes(max_bytes == 0 ? 1 : max_bytes) {}
  std::size_t events;  // live events
  std::size_t bytes;   // footprints of everything queued
};

class Subscription {
 public:
  using Notifier = std::function<void()>;

  Subscription(std::string session_id, SubscriberLimits limits, Notifier notifier);

  const std::string& SessionId() const { return session_id_; }

  // Called by the event log with the event's footprint. Returns false when the
  // subscription is closed (already, or now because it overflowed); the log
  // then forgets it.
  bool Offer(const EventPtr& event, std::size_t bytes);
  // Queues a replayed event. Replay never overflows (it is bounded by the ring,
  // which is at most subscriber_queue_bytes), but its bytes count: live events
  // that arrive before the client read its replay overflow sooner.
  void OfferReplay(const EventPtr& event, std::size_t bytes);
  // Moves queued events into `out`, oldest first, up to `max_bytes` of
  // footprint (always at least one). Returns false once the subscription is
  // closed and fully drained (the last drained event explains why).
  bool Drain(std::vector<EventPtr>& out,
             std::size_t max_bytes = std::numeric_limits<std::size_t>::max());
  // Ends the subscription from the consumer side (client went away) or from
  // the log (session deleted); `final_event` is queued after the backlog.
  // Idempotent.
  void Close(EventPtr final_event = nullptr);
  bool Closed() const;
  std::size_t QueuedBytes() const;

 private:
  struct Queued {
    EventPtr event;
    std::size_t bytes = 0;
  };
  void CloseLocked(EventPtr final_event, bool drop_backlog);
  void PushLocked(EventPtr event, std::size_t bytes);
  bool OverflowsLocked(std::size_t bytes) const;
  std::size_t LiveSeqCount() const;  // queued events that carry a seq

  const std::string session_id_;
  const SubscriberLimits limits_;
  const Notifier notifier_;
  mutable std::mutex mu_;
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t replay_queued_ = 0;  // replayed events at the front of queue_
  bool closed_ = false;
  std::uint64_t last_offered_ = 0;
};

using SubscriptionPtr = std::shared_ptr<Subscription>;

}  // namespace hotplex::supervisor
