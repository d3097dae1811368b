#include "supervisor/event_log.hpp"

#include <algorithm>

namespace hotplex::supervisor {

EventLog::EventLog(std::string session_id, std::size_t ring_capacity, std::uint64_t first_seq,
                   TranscriptSink* transcripts)
    : session_id_(std::move(session_id)),
      capacity_(ring_capacity == 0 ? 1 : ring_capacity),
      transcripts_(transcripts),
      next_seq_(first_seq == 0 ? 1 : first_seq) {}

EventPtr EventLog::MakeEvent(std::uint64_t seq, EventPayload payload) const {
  auto event = std::make_shared<Event>();
  event->seq = seq;
  event->session_id = session_id_;
  event->ts = std::chrono::system_clock::now();
  event->payload = std::move(payload);
  event->encoded = std::make_shared<EncodedEvent>();
  return event;
}

EventPtr EventLog::Publish(EventPayload payload) {
  std::lock_guard lock(mu_);
  EventPtr event = MakeEvent(next_seq_++, std::move(payload));
  ring_.push_back(event);
  if (transcripts_ != nullptr) transcripts_->Append(event);
  if (ring_.size() > capacity_) {
    ring_.pop_front();
    ++dropped_;
  }
  // Offer under the lock so that the order seen by every subscriber is the seq
  // order; Offer never blocks (notifiers only schedule work).
  std::erase_if(subscribers_, [&](const SubscriptionPtr& s) { return !s->Offer(event); });
  return event;
}

SubscriptionPtr EventLog::Subscribe(std::uint64_t after_seq, std::size_t queue_limit,
                                    Subscription::Notifier notifier) {
  std::lock_guard lock(mu_);
  auto sub = std::make_shared<Subscription>(session_id_, queue_limit, std::move(notifier));
  const std::uint64_t oldest = ring_.empty() ? next_seq_ : ring_.front()->seq;
  if (after_seq + 1 < oldest && after_seq + 1 < next_seq_) {
    auto lost = MakeEvent(0, ErrorEvent{"events_lost", "events " + std::to_string(after_seq + 1) +
                                                           ".." + std::to_string(oldest - 1) +
                                                           " are no longer in the replay ring"});
    sub->OfferReplay(lost);
  }
  for (const auto& e : ring_) {
    if (e->seq > after_seq) sub->OfferReplay(e);
  }
  subscribers_.push_back(sub);
  return sub;
}

void EventLog::CloseAll(EventPayload final_payload) {
  std::lock_guard lock(mu_);
  for (auto& s : subscribers_) s->Close(MakeEvent(0, final_payload));
  subscribers_.clear();
}

void EventLog::Rename(std::string session_id) {
  std::lock_guard lock(mu_);
  session_id_ = std::move(session_id);
  for (auto& event : ring_) {
    auto copy = std::make_shared<Event>(*event);
    copy->session_id = session_id_;
    copy->encoded = std::make_shared<EncodedEvent>();
    event = std::move(copy);
  }
}

std::uint64_t EventLog::LastSeq() const {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

std::uint64_t EventLog::Dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::vector<EventPtr> EventLog::Snapshot(std::uint64_t after_seq) const {
  std::lock_guard lock(mu_);
  std::vector<EventPtr> out;
  for (const auto& e : ring_) {
    if (e->seq > after_seq) out.push_back(e);
  }
  return out;
}

std::size_t EventLog::SubscriberCount() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

}  // namespace hotplex::supervisor
