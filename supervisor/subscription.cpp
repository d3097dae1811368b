#include "supervisor/subscription.hpp"

#include "supervisor/metrics.hpp"

namespace hotplex::supervisor {

Subscription::Subscription(std::string session_id, std::size_t queue_limit, Notifier notifier)
    : session_id_(std::move(session_id)),
      queue_limit_(queue_limit == 0 ? 1 : queue_limit),
      notifier_(std::move(notifier)) {}

bool Subscription::Offer(const EventPtr& event) {
  bool notify = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (queue_.size() - replay_queued_ >= queue_limit_) {
      auto error = std::make_shared<Event>();
      error->session_id = session_id_;
      error->ts = std::chrono::system_clock::now();
      error->payload = ErrorEvent{
          "slow_consumer", "subscriber fell behind by more than " + std::to_string(queue_limit_) +
                               " events and was disconnected; resume with after=" +
                               std::to_string(last_offered_ - LiveSeqCount())};
      notify = true;
      CloseLocked(std::move(error), /*drop_backlog=*/true);
      Metrics::Global().SlowConsumerDisconnect();
    } else {
      notify = queue_.empty();
      queue_.push_back(event);
      last_offered_ = event->seq;
    }
  }
  if (notify && notifier_) notifier_();
  std::lock_guard lock(mu_);
  return !closed_;
}

void Subscription::OfferReplay(const EventPtr& event) {
  bool notify = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    notify = queue_.empty();
    queue_.push_back(event);
    ++replay_queued_;
    if (event->seq != 0) last_offered_ = event->seq;
  }
  if (notify && notifier_) notifier_();
}

bool Subscription::Drain(std::vector<EventPtr>& out) {
  std::lock_guard lock(mu_);
  for (auto& e : queue_) out.push_back(std::move(e));
  queue_.clear();
  replay_queued_ = 0;
  return !closed_;
}

std::size_t Subscription::LiveSeqCount() const {
  std::size_t n = 0;
  for (const auto& e : queue_) n += e->seq != 0 ? 1 : 0;
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
  // has not read is dropped (it resumes from the log with `after`).
  if (drop_backlog) {
    queue_.clear();
    replay_queued_ = 0;
  }
  if (final_event) queue_.push_back(std::move(final_event));
}

bool Subscription::Closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::uint64_t Subscription::LastOffered() const {
  std::lock_guard lock(mu_);
  return last_offered_;
}

}  // namespace hotplex::supervisor
