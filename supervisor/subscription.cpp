#include "supervisor/subscription.hpp"

#include <algorithm>

#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {

Subscription::Subscription(std::string session_id, SubscriberLimits limits, Notifier notifier)
    : session_id_(std::move(session_id)), limits_(limits), notifier_(std::move(notifier)) {}

bool Subscription::OverflowsLocked(std::size_t bytes) const {
  if (queue_.size() - replay_queued_ >= limits_.events) return true;
  return !queue_.empty() && queued_bytes_ + bytes > limits_.bytes;
}

void Subscription::PushLocked(EventPtr event, std::size_t bytes) {
  queue_.push_back({std::move(event), bytes});
  queued_bytes_ += bytes;
}

bool Subscription::Offer(const EventPtr& event, std::size_t bytes) {
  bool notify = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (OverflowsLocked(bytes)) {
      auto error = std::make_shared<Event>();
      error->session_id = session_id_;
      error->ts = std::chrono::system_clock::now();
      error->payload = ErrorEvent{
          ErrorCode::kSlowConsumer,
          "subscriber fell behind by more than " + std::to_string(limits_.events) + " events or " +
              std::to_string(limits_.bytes) + " bytes and was disconnected; resume with after=" +
              std::to_string(last_offered_ - LiveSeqCount())};
      notify = true;
      CloseLocked(std::move(error), /*drop_backlog=*/true);
      Metrics::Global().SlowConsumerDisconnect();
    } else {
      notify = queue_.empty();
      PushLocked(event, bytes);
      last_offered_ = event->seq;
    }
  }
  if (notify && notifier_) notifier_();
  std::lock_guard lock(mu_);
  return !closed_;
}

void Subscription::OfferReplay(const EventPtr& event, std::size_t bytes) {
  bool notify = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    notify = queue_.empty();
    PushLocked(event, bytes);
    ++replay_queued_;
    if (event->seq != 0) last_offered_ = event->seq;
  }
  if (notify && notifier_) notifier_();
}

bool Subscription::Drain(std::vector<EventPtr>& out, std::size_t max_bytes) {
  std::lock_guard lock(mu_);
  std::size_t taken = 0;
  std::size_t count = 0;
  while (!queue_.empty() && (count == 0 || taken + queue_.front().bytes <= max_bytes)) {
    taken += queue_.front().bytes;
    out.push_back(std::move(queue_.front().event));
    queue_.pop_front();
    ++count;
  }
  queued_bytes_ -= taken;
  replay_queued_ -= std::min(count, replay_queued_);
  return !closed_ || !queue_.empty();
}

std::size_t Subscription::LiveSeqCount() const {
  std::size_t n = 0;
  for (const auto& q : queue_) n += q.event->seq != 0 ? 1 : 0;
  return n;
}

void Subscription::Close(EventPtr final_event) {
  bool notify = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    notify = true;
    CloseLocked(std::move(final_event), /*drop_backlog=*/false);
  }
  if (notify && notifier_) notifier_();
}

void Subscription::CloseLocked(EventPtr final_event, bool drop_backlog) {
  closed_ = true;
  // An overflowing consumer must see at once why it was cut off; the backlog it
  // has not read is dropped (it resumes from the log with `after`), and with it
  // everything this subscriber pinned.
  if (drop_backlog) {
    queue_.clear();
    queued_bytes_ = 0;
    replay_queued_ = 0;
  }
  if (final_event) PushLocked(std::move(final_event), 0);
}

bool Subscription::Closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::size_t Subscription::QueuedBytes() const {
  std::lock_guard lock(mu_);
  return queued_bytes_;
}

}  // namespace hotplex::supervisor
