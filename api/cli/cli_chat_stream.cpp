#include "api/cli/cli_chat_stream.hpp"

#include <httplib.h>

#include <algorithm>

#include "api/cli/cli_chat_sse.hpp"

namespace hotplex::cli {

EventStream::EventStream(ApiEndpoint endpoint, std::string session_id, std::uint64_t after,
                         OnEvent on_event, OnNotice on_notice)
    : endpoint_(std::move(endpoint)),
      path_("/v1/sessions/" + session_id + "/events"),
      on_event_(std::move(on_event)),
      on_notice_(std::move(on_notice)),
      last_seq_(after) {}

EventStream::~EventStream() { Stop(); }

void EventStream::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventStream::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    // Unblocks a read that waits for the next event or keep-alive.
    if (current_ != nullptr) current_->stop();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool EventStream::SleepUnlessStopped(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void EventStream::Run() {
  int failures = 0;
  auto backoff = std::chrono::milliseconds(250);
  for (;;) {
    const Outcome outcome = Connect(failures);
    if (outcome == Outcome::kStopped) return;
    if (outcome == Outcome::kFatal || failures >= kMaxFailures) {
      lost_ = true;
      return;
    }
    if (failures == 0) backoff = std::chrono::milliseconds(250);
    // Said once per outage, not once per attempt.
    if (failures <= 1) {
      on_notice_("event stream dropped; reconnecting after event " + std::to_string(last_seq_));
    }
    if (!SleepUnlessStopped(backoff)) return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

// One connection. `failures` counts connections in a row that delivered nothing.
EventStream::Outcome EventStream::Connect(int& failures) {
  auto http = MakeHttpClient(endpoint_);
  if (!http) return on_notice_(http.error().Describe()), Outcome::kFatal;
  // Longer than the server's keep-alive (http.sse_keepalive, 15 s by default):
  // a silent stream is a dead one.
  (*http)->set_read_timeout(45, 0);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Outcome::kStopped;
    current_ = http->get();
  }
  SseParser parser(kMaxEventBytes);
  int status = 0;
  bool delivered = false;
  httplib::Headers headers;
  if (last_seq_ > 0) headers.emplace("Last-Event-ID", std::to_string(last_seq_));
  auto res = (*http)->Get(
      path_, headers, [&](const httplib::Response& r) { return status = r.status, true; },
      [&](const char* bytes, std::size_t n) {
        if (status != 200) return true;  // the status says enough
        parser.Feed({bytes, n}, [&](SseEvent&& e) { Deliver(e.data), delivered = true; });
        std::lock_guard lock(mu_);
        return !stopping_;
      });
  {
    std::lock_guard lock(mu_);
    current_ = nullptr;
    if (stopping_) return Outcome::kStopped;
  }
  if (parser.Oversized() > 0) {
    on_notice_("skipped an event over " + std::to_string(kMaxEventBytes) + " bytes");
  }
  failures = delivered ? 0 : failures + 1;
  if (status == 401 || status == 404) {
    on_notice_("the event stream was refused (HTTP " + std::to_string(status) +
               "): the session was deleted or the API key is no longer valid");
    return Outcome::kFatal;
  }
  if (!res && failures >= kMaxFailures) {
    on_notice_("gave up on the event stream: " + httplib::to_string(res.error()));
  }
  return Outcome::kDropped;
}

void EventStream::Deliver(const std::string& data) {
  nlohmann::json event = nlohmann::json::parse(data, nullptr, false);
  if (!event.is_object()) return;
  const auto seq = event.find("seq");
  if (seq != event.end() && seq->is_number_unsigned() && seq->get<std::uint64_t>() > 0) {
    // A reconnect replays from Last-Event-ID; this guards against a server
    // that replays more.
    if (seq->get<std::uint64_t>() <= last_seq_) return;
    last_seq_ = seq->get<std::uint64_t>();
  }
  on_event_(event);
}

}  // namespace hotplex::cli
