#include "supervisor/event_log.hpp"

#include <algorithm>

namespace hotplex::supervisor {

EventLog::EventLog(std::string session_id, RingLimits ring, std::uint64_t first_seq,
                   TranscriptSink* transcripts, std::string tenant_id)
    : session_id_(std::move(session_id)),
      tenant_id_(std::move(tenant_id)),
      limits_(ring),
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
  std::string quota_message;
  if (AddLocked(event, &quota_message)) {
    // The store keeps room in the transcript for this one line.
    AddLocked(MakeEvent(next_seq_++, ErrorEvent{ErrorCode::kTranscriptQuota, quota_message}),
              nullptr);
  }
  return event;
}

bool EventLog::AddLocked(const EventPtr& event, std::string* quota_message) {
  const EventSize size = MeasureEvent(*event);
  bool crossed = false;
  if (transcripts_ != nullptr) {
    auto quota = transcripts_->Append(tenant_id_, event, size);
    if (quota && quota_message != nullptr) {
      *quota_message = std::move(*quota);
      crossed = true;
    }
  }
  ring_.push_back({event, size.footprint});
  ring_bytes_ += size.footprint;
  TrimLocked();
  // Offer under the lock so that the order seen by every subscriber is the seq
  // order; Offer never blocks (notifiers only schedule work).
  std::erase_if(subscribers_,
                [&](const SubscriptionPtr& s) { return !s->Offer(event, size.footprint); });
  return crossed;
}

void EventLog::TrimLocked() {
  while (ring_.size() > 1 && (ring_.size() > limits_.events || ring_bytes_ > limits_.bytes)) {
    ring_bytes_ -= ring_.front().bytes;
    ring_.pop_front();
    ++dropped_;
  }
}

SubscriptionPtr EventLog::Subscribe(std::uint64_t after_seq, SubscriberLimits limits,
                                    Subscription::Notifier notifier) {
  std::lock_guard lock(mu_);
  auto sub = std::make_shared<Subscription>(session_id_, limits, std::move(notifier));
  const std::uint64_t oldest = ring_.empty() ? next_seq_ : ring_.front().event->seq;
  if (after_seq + 1 < oldest && after_seq + 1 < next_seq_) {
    auto lost =
        MakeEvent(0, ErrorEvent{ErrorCode::kEventsLost, "events " + std::to_string(after_seq + 1) +
                                                            ".." + std::to_string(oldest - 1) +
                                                            " are no longer in the replay ring"});
    sub->OfferReplay(lost, MeasureEvent(*lost).footprint);
  }
  for (const auto& e : ring_) {
    if (e.event->seq > after_seq) sub->OfferReplay(e.event, e.bytes);
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
  ring_bytes_ = 0;
  for (auto& entry : ring_) {
    auto copy = std::make_shared<Event>(*entry.event);
    copy->session_id = session_id_;
    copy->encoded = std::make_shared<EncodedEvent>();
    entry.event = std::move(copy);
    entry.bytes = MeasureEvent(*entry.event).footprint;
    ring_bytes_ += entry.bytes;
  }
  TrimLocked();
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
    if (e.event->seq > after_seq) out.push_back(e.event);
  }
  return out;
}

std::size_t EventLog::SubscriberCount() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

std::size_t EventLog::RingBytes() const {
  std::lock_guard lock(mu_);
  return ring_bytes_;
}

}  // namespace hotplex::supervisor
