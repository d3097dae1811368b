// Subscription: one client's bounded view of a session's event log.
//
// The log pushes events with Offer(), which never blocks: when the queue is
// full the subscription is closed with a final `slow_consumer` error event, so
// a slow client can never slow the agent or the other subscribers (it resumes
// later with `after = last seq it saw`). The consumer (an SSE or WebSocket
// connection) drains it with Drain() after the notifier told it that events
// are waiting. The notifier runs on the publisher's thread, only when the queue
// goes from empty to non-empty, and must only schedule work (e.g. asio::post).
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "supervisor/event.hpp"

namespace hotplex::supervisor {

class Subscription {
 public:
  using Notifier = std::function<void()>;

  Subscription(std::string session_id, std::size_t queue_limit, Notifier notifier);

  const std::string& SessionId() const { return session_id_; }

  // Called by the event log. Returns false when the subscription is closed
  // (already, or now because it overflowed); the log then forgets it.
  bool Offer(const EventPtr& event);
  // Queues a replayed event. Replay is bounded by the ring, not by the queue
  // limit, which applies to live events only: a client can always catch up
  // from the ring.
  void OfferReplay(const EventPtr& event);
  // Moves every queued event into `out`. Returns false once the subscription
  // is closed and fully drained (the last drained event explains why).
  bool Drain(std::vector<EventPtr>& out);
  // Ends the subscription from the consumer side (client went away) or from
  // the log (session deleted); `final_event` is queued after the backlog.
  // Idempotent.
  void Close(EventPtr final_event = nullptr);
  bool Closed() const;
  std::uint64_t LastOffered() const;

 private:
  void CloseLocked(EventPtr final_event, bool drop_backlog);
  std::size_t LiveSeqCount() const;  // queued events that carry a seq

  const std::string session_id_;
  const std::size_t queue_limit_;
  const Notifier notifier_;
  mutable std::mutex mu_;
  std::deque<EventPtr> queue_;
  std::size_t replay_queued_ = 0;  // replayed events at the front of queue_
  bool closed_ = false;
  std::uint64_t last_offered_ = 0;
};

using SubscriptionPtr = std::shared_ptr<Subscription>;

}  // namespace hotplex::supervisor
