#include "tests/fake_agent/fake_agent.hpp"

#include <unistd.h>

#include <iostream>
#include <thread>

namespace hotplex::fake_agent {

using nlohmann::json;

FakeAgent::FakeAgent(AgentOptions options, int in_fd, int out_fd)
    : options_(std::move(options)), reader_(in_fd), out_(out_fd, options_.session_id) {}

bool FakeAgent::StartTranscript() {
  auto transcript = options_.resume
                        ? Transcript::Resume(options_.home, options_.session_id)
                        : Transcript::Create(options_.home, options_.cwd, options_.session_id);
  if (transcript) {
    transcript_ = std::move(*transcript);
    return true;
  }
  if (!options_.resume) {  // the CLI refuses a taken --session-id before reading anything
    std::cerr << "Error: " << transcript.error().message << std::endl;
    return false;
  }
  transcript_error_ = transcript.error().message;  // reported on the first prompt
  return true;
}

int FakeAgent::Run() {
  if (options_.startup_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.startup_delay_ms));
  }
  if (!StartTranscript()) return 1;
  while (true) {
    if (!queued_prompts_.empty()) {
      std::string prompt = std::move(queued_prompts_.front());
      queued_prompts_.pop_front();
      RunTurn(prompt);
      continue;
    }
    if (Pump(std::nullopt, nullptr) == Wake::kEof && queued_prompts_.empty()) break;
  }
  return last_turn_error_ ? 1 : 0;
}

// Reads and dispatches input lines until something the caller waits for happens: a
// control_response with id `awaited`, an interrupt, EOF, the deadline, or (with neither
// a deadline nor an awaited id) a queued prompt.
FakeAgent::Wake FakeAgent::Pump(std::optional<Clock::time_point> deadline,
                                const std::string* awaited) {
  std::string line;
  while (true) {
    if (awaited && responses_.count(*awaited)) return Wake::kReady;
    if (in_turn_ && interrupt_request_) return Wake::kInterrupted;
    if (!deadline && !awaited && !queued_prompts_.empty()) return Wake::kReady;
    switch (reader_.Next(deadline, line)) {
      case LineReader::Status::kTimeout: return Wake::kTimeout;
      case LineReader::Status::kEof: return Wake::kEof;
      case LineReader::Status::kLine: HandleLine(line); break;
    }
  }
}

void FakeAgent::HandleLine(const std::string& line) {
  if (line.empty()) return;
  const json message = json::parse(line, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    if (options_.plain_input) {
      queued_prompts_.push_back(line);
      return;
    }
    std::cerr << "Error parsing streaming input line (type=unknown, " << line.size()
              << " chars): SyntaxError" << std::endl;
    std::exit(1);
  }
  const std::string type = message.value("type", "");
  if (type == "user") {
    const json content =
        message.contains("message") ? message["message"].value("content", json()) : json();
    if (content.is_string()) {
      queued_prompts_.push_back(content.get<std::string>());
    } else if (content.is_array()) {
      std::string text;
      for (const json& block : content) {
        if (block.is_object() && block.value("type", "") == "text") text += block.value("text", "");
      }
      queued_prompts_.push_back(text);
    }
  } else if (type == "control_request") {
    HandleControlRequest(message);
  } else if (type == "control_response" && message.contains("response")) {
    const json& response = message["response"];
    responses_[response.value("request_id", "")] = response;
  }
}

void FakeAgent::HandleControlRequest(const json& message) {
  const std::string id = message.value("request_id", "");
  const json request = message.value("request", json::object());
  const std::string subtype = request.is_object() ? request.value("subtype", "") : "";
  if (subtype == "interrupt") {
    interrupt_request_ = id;
    if (!in_turn_) AnswerInterrupt();  // nothing to stop
  } else if (subtype == "initialize") {
    out_.ControlSuccess(id, {{"commands", json::array()},
                             {"pid", static_cast<int>(::getpid())},
                             {"claude_code_version", "fake-agent"},
                             {"current_permission_mode", "default"},
                             {"session_state", in_turn_ ? "running" : "idle"}});
  } else {
    out_.ControlError(id, "Unsupported control request subtype: " + subtype);
  }
}

void FakeAgent::AnswerInterrupt() {
  if (!interrupt_request_) return;
  out_.ControlSuccess(*interrupt_request_, {{"still_queued", json::array()}});
  interrupt_request_.reset();
}

}  // namespace hotplex::fake_agent
