// EventSize: what one event costs in bytes. The replay ring, the subscriber
// queues, the transcript writer's queue and the transcript quotas are bounded
// in bytes (events vary from a few bytes to max_line_bytes), and they all
// measure an event here, once, when it is published.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "supervisor/event.hpp"

namespace hotplex::supervisor {

struct EventSize {
  // Heap the event pins while it lives: its payload plus its JSON text, which
  // is encoded once and shared by every reader (EncodedEvent: one
  // shared_ptr<const std::string>, never a copy per subscriber). An estimate
  // that errs high for text (the encoded size is an upper bound).
  std::size_t footprint = 0;
  // An upper bound of the event's JSON text size + 1 (api::EventToJsonText):
  // the transcript line.
  std::size_t encoded_bound = 0;
};

EventSize MeasureEvent(const Event& event);
// Upper bound of the size of `text` as a JSON string body: control bytes
// become \u00XX (6), quote and backslash 2, a byte >= 0x80 at most 3 (an
// invalid one is replaced by U+FFFD).
std::size_t EscapedSizeBound(std::string_view text);

}  // namespace hotplex::supervisor
