#include "api/cli/cli_chat_loop.hpp"

#include <algorithm>

#include "api/cli/cli_admin_client.hpp"  // exit codes
#include "api/cli/cli_chat_stream.hpp"

namespace hotplex::cli {

using nlohmann::json;

namespace {

std::string Str(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void ChatLoop::OnEvent(const json& event) {
  const std::string type = Str(event, "type");
  const json data = event.value("data", json::object());
  std::lock_guard lock(mu_);
  if (type == "permission_request" && asks_.size() < kMaxAsks) {
    asks_.push_back(Str(data, "request_id"));
  } else if (type == "permission_decision") {
    // Answered elsewhere, timed out or cancelled: no longer ours to answer.
    std::erase(asks_, Str(data, "request_id"));
  } else if (type == "status") {
    // starting/ready also come between a prompt and its turn (a stopped agent
    // restarts first), so only these move the flag.
    const std::string state = Str(data, "state");
    if (state == "busy") turn_running_ = true;
    if (state == "stopped" || state == "dead") turn_running_ = false;
  } else if (type == "turn_end") {
    turn_running_ = false;
  }
  PrintLocked(renderer_.Render(event));
}

void ChatLoop::OnNotice(const std::string& message) {
  Print("[" + TerminalSafe(message, false) + "]\n");
}

void ChatLoop::Print(const std::string& text) {
  std::lock_guard lock(mu_);
  PrintLocked(text);
}

void ChatLoop::PrintLocked(const std::string& text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), out_);
  // Text streams as it arrives, also into a pipe.
  std::fflush(out_);
}

int ChatLoop::Run(ChatInput& input, const EventStream& stream) {
  for (;;) {
    if (stream.Lost()) {
      Print(
          "[the event stream is gone; the session goes on: run hotplexd chat again to "
          "re-attach]\n");
      return kExitUnreachable;
    }
    const ChatInput::Item item = input.Next(std::chrono::milliseconds(200));
    switch (item.kind) {
      case ChatInput::Kind::kLine: HandleLine(item.line); break;
      case ChatInput::Kind::kInterrupt:
        if (HandleInterrupt()) return kExitOk;
        break;
      case ChatInput::Kind::kTooLong:
        Print("[line skipped: longer than the prompt limit of the chat client]\n");
        break;
      case ChatInput::Kind::kEnd: return kExitOk;
      case ChatInput::Kind::kTimeout: break;
    }
  }
}

void ChatLoop::HandleLine(const std::string& line) {
  std::string request_id;
  {
    std::lock_guard lock(mu_);
    if (!asks_.empty()) {
      request_id = asks_.front();
      asks_.pop_front();
    }
  }
  if (!request_id.empty()) return Answer(request_id, line);
  if (line.empty()) return;
  const ApiReply reply = api_.Post(session_path_ + "/messages", {{"text", line}});
  if (!reply.Ok()) return Print("[prompt not sent: " + TerminalSafe(reply.error, false) + "]\n");
  std::lock_guard lock(mu_);
  turn_running_ = true;
}

void ChatLoop::Answer(const std::string& request_id, const std::string& line) {
  const bool allow = line == "y" || line == "Y" || line == "yes";
  const ApiReply reply = api_.Post(session_path_ + "/permissions/" + UrlEncode(request_id),
                                   {{"behavior", allow ? "allow" : "deny"}});
  // The permission_decision event shows the outcome; only a failure is said here.
  if (!reply.Ok()) Print("[answer not taken: " + TerminalSafe(reply.error, false) + "]\n");
}

bool ChatLoop::HandleInterrupt() {
  const auto now = std::chrono::steady_clock::now();
  bool running = false;
  {
    std::lock_guard lock(mu_);
    running = turn_running_;
  }
  if (!running || now - last_interrupt_ < kQuitWindow) return true;
  last_interrupt_ = now;
  const ApiReply reply = api_.Post(session_path_ + "/interrupt", json::object());
  Print(reply.Ok() ? "\n[interrupting the turn; Ctrl-C again within 2 s quits]\n"
                   : "\n[interrupt refused: " + TerminalSafe(reply.error, false) + "]\n");
  return false;
}

}  // namespace hotplex::cli
