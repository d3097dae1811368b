// ChatLoop: one person chatting with one session. The loop thread turns typed
// lines into prompts (or, while a permission request waits, into its answer:
// y/yes allows, anything else denies) and Ctrl-C into an interrupt of the
// running turn; a second Ctrl-C within kQuitWindow, or Ctrl-C while no turn
// runs, or the end of input quits. The event stream's thread hands it every
// event; output from both threads goes through one lock.
// Thread-safety: OnEvent/OnNotice from the stream thread, Run from the owner.
#pragma once

#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "api/cli/cli_chat_client.hpp"
#include "api/cli/cli_chat_input.hpp"
#include "api/cli/cli_chat_render.hpp"

namespace hotplex::cli {

class EventStream;

class ChatLoop {
 public:
  static constexpr auto kQuitWindow = std::chrono::seconds(2);
  // Unanswered permission requests remembered at once; more are denied by
  // their policy timeout (ask_timeout) as if nobody looked.
  static constexpr std::size_t kMaxAsks = 64;

  ChatLoop(ApiClient& api, std::string session_id, std::FILE* out)
      : api_(api), session_path_("/v1/sessions/" + session_id), out_(out) {}

  void OnEvent(const nlohmann::json& event);
  void OnNotice(const std::string& message);
  // Until the person quits (exit 0) or the stream is lost (exit 3).
  int Run(ChatInput& input, const EventStream& stream);

 private:
  void HandleLine(const std::string& line);
  bool HandleInterrupt();  // true: quit
  void Answer(const std::string& request_id, const std::string& line);
  void Print(const std::string& text);  // under mu_
  void PrintLocked(const std::string& text);

  ApiClient& api_;
  const std::string session_path_;
  std::FILE* const out_;
  std::chrono::steady_clock::time_point last_interrupt_{};

  std::mutex mu_;
  ChatRenderer renderer_;         // guarded by mu_
  std::deque<std::string> asks_;  // guarded by mu_: request ids, oldest first
  bool turn_running_ = false;     // guarded by mu_
};

}  // namespace hotplex::cli
