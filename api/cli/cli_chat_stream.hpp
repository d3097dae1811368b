// EventStream: one session's events for `hotplexd chat`, read on a thread of
// its own from GET /v1/sessions/{id}/events (SSE). A dropped stream (the
// daemon restarted, a slow_consumer cut, a network blip) is reopened with
// Last-Event-ID set to the last seq seen, so nothing is shown twice or lost
// while the ring still holds it; after kMaxFailures attempts in a row the
// stream gives up and says so. 401/404 end it at once (key revoked, session
// deleted).
// Thread-safety: Start/Stop/Lost from the owner thread; the callbacks run on
// the stream's thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/cli/cli_chat_client.hpp"

namespace httplib {
class Client;
}

namespace hotplex::cli {

class EventStream {
 public:
  using OnEvent = std::function<void(const nlohmann::json& event)>;
  using OnNotice = std::function<void(const std::string& message)>;  // for people

  // Largest SSE event accepted: an event carries at most events.max_line_bytes
  // (1 MiB) of agent text, which JSON escaping can grow up to 6x.
  static constexpr std::size_t kMaxEventBytes = 8u << 20;
  static constexpr int kMaxFailures = 20;  // ~90 s of retries with the backoff below

  EventStream(ApiEndpoint endpoint, std::string session_id, std::uint64_t after, OnEvent on_event,
              OnNotice on_notice);
  ~EventStream();  // Stop()
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  void Start();
  // Ends the stream and joins its thread; idempotent.
  void Stop();
  // True once the stream gave up (the notice said why).
  bool Lost() const { return lost_; }

 private:
  enum class Outcome { kDropped, kFatal, kStopped };
  void Run();
  Outcome Connect(int& failures);
  void Deliver(const std::string& data);
  bool SleepUnlessStopped(std::chrono::milliseconds delay);

  const ApiEndpoint endpoint_;
  const std::string path_;
  const OnEvent on_event_;
  const OnNotice on_notice_;
  std::uint64_t last_seq_;  // stream thread only
  std::atomic<bool> lost_{false};

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;               // guarded by mu_
  httplib::Client* current_ = nullptr;  // guarded by mu_: the connection Stop() shuts down
  std::thread thread_;
};

}  // namespace hotplex::cli
