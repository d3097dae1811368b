#include "api/cli/cli_chat_sse.hpp"

namespace hotplex::cli {

void SseParser::Feed(std::string_view bytes, const Sink& sink) {
  for (char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      EndLine(sink);
      continue;
    }
    line_started_ = true;
    if (discarding_) continue;
    line_ += c;
    if (Pending() > max_event_bytes_) {
      // Dropped whole: half an event (a cut JSON object) is worse than none.
      discarding_ = true;
      ++oversized_;
      line_.clear();
      current_ = {};
      has_data_ = false;
    }
  }
}

void SseParser::EndLine(const Sink& sink) {
  if (line_started_) {
    if (!discarding_) Field(line_);
    line_.clear();
    line_started_ = false;
    return;
  }
  // A blank line ends the event: dispatched (unless it had no data), or, when
  // it went over the bound, the end of what is skipped.
  if (has_data_ && !discarding_) sink(std::move(current_));
  current_ = {};
  has_data_ = false;
  discarding_ = false;
}

void SseParser::Field(std::string_view line) {
  if (line.front() == ':') return;  // comment: keep-alive
  const auto colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
  } else if (name == "event") {
    current_.event.assign(value);
  } else if (name == "id" && value.find('\0') == std::string_view::npos) {
    current_.id.assign(value);
  }
}

void SseParser::Reset() {
  line_.clear();
  current_ = {};
  has_data_ = false;
  line_started_ = false;
  after_cr_ = false;
  discarding_ = false;
}

}  // namespace hotplex::cli
