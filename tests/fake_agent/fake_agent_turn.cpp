// FakeAgent: running one turn of directives (the output side of the protocol).
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "tests/fake_agent/fake_agent.hpp"

namespace hotplex::fake_agent {
namespace {

using nlohmann::json;

constexpr double kCostPerCall = 0.0001;

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find(' ', begin);
    end = end == std::string::npos ? text.size() : end + 1;
    words.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return words;
}

std::int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string EchoPiece(std::int64_t i) {
  return "echo " + std::to_string(i) + " " + std::to_string(MonotonicNs()) + "\n";
}

}  // namespace

void FakeAgent::RunTurn(const std::string& prompt) {
  in_turn_ = true;
  ++turns_run_;
  Turn turn;
  if (!transcript_) {  // --resume of a session that does not exist: only a result line
    std::cerr << transcript_error_ << std::endl;
    out_.Result({{"subtype", "error_during_execution"},
                 {"is_error", true},
                 {"num_turns", 0},
                 {"duration_ms", 0},
                 {"total_cost_usd", 0},
                 {"stop_reason", nullptr},
                 {"errors", {transcript_error_}}});
    std::exit(1);
  }
  out_.Init(options_.cwd, options_.model);
  // A transcript that cannot be written is ignored, as the CLI ignores a read-only HOME.
  (void)transcript_->Append("user", prompt);
  const std::string scripted = turns_run_ <= options_.scripted_turns.size()
                                   ? options_.scripted_turns[turns_run_ - 1]
                                   : std::string();
  auto directives = DirectivesForPrompt(prompt, scripted);
  if (!directives) {
    FinishTurn(turn, true, directives.error().message);
  } else {
    bool going = true;
    for (const Directive& d : *directives) {
      turn.pending_reply.clear();
      if (!(going = RunDirective(d, turn))) break;
    }
    // Like the CLI, a tool result is always followed by another model answer.
    if (going && !turn.pending_reply.empty()) {
      BeginMessage(turn);
      going = StreamBlock(turn, "text", {turn.pending_reply}, 0);
    }
    if (!turn.ended) FinishTurn(turn, false, "");
  }
  in_turn_ = false;
  AnswerInterrupt();  // an interrupt that came as the turn ended
}

// Returns false when the turn is over (interrupted or ended by the directive).
bool FakeAgent::RunDirective(const Directive& d, Turn& turn) {
  if (!turn.message_open && d.verb != Verb::kStderr) BeginMessage(turn);
  switch (d.verb) {
    case Verb::kText: return StreamBlock(turn, "text", Words(d.text), 0);
    case Verb::kThinking: return StreamBlock(turn, "thinking", Words(d.text), 0);
    case Verb::kSlow: {
      std::vector<std::string> ticks;
      for (std::int64_t i = 0; i < d.count; ++i) ticks.push_back("tick" + std::to_string(i) + " ");
      return StreamBlock(turn, "text", ticks, d.interval * 1000);
    }
    case Verb::kEcho: {
      // Pieces are made when sent, so each carries the time it was written.
      std::vector<std::string> lazy(static_cast<std::size_t>(d.count));
      return StreamBlock(turn, "echo", lazy, d.interval);
    }
    case Verb::kHuge: return StreamBlock(turn, "text", {std::string(d.count, 'x')}, 0);
    case Verb::kSleep: {
      if (Pump(Clock::now() + std::chrono::milliseconds(d.interval), nullptr) ==
          Wake::kInterrupted) {
        FinishInterrupted(turn, "", false);
        return false;
      }
      return true;
    }
    case Verb::kStderr: std::cerr << d.text << std::endl; return true;
    case Verb::kHistory: {
      std::string text = "history:";
      for (const TranscriptEntry& e : transcript_->Entries()) {
        if (e.role == "user") text += " [" + e.text + "]";
      }
      return StreamBlock(turn, "text", Words(text), 0);
    }
    case Verb::kError: FinishTurn(turn, true, d.text); return false;
    case Verb::kCrash: std::_Exit(static_cast<int>(d.count));
    case Verb::kAbort: std::abort();
    case Verb::kHang: Hang(false);
    case Verb::kHangIgnoreTerm: Hang(true);
    case Verb::kTool: return UseTool(d, turn);
  }
  return true;
}

void FakeAgent::BeginMessage(Turn& turn) {
  turn.message_id = "msg_fake_agent_" + std::to_string(++message_counter_);
  turn.message_open = true;
  turn.block_index = 0;
  ++turn.api_calls;
  total_cost_usd_ += kCostPerCall;
  out_.Status("requesting");
  out_.StreamEvent({{"type", "message_start"},
                    {"message",
                     {{"id", turn.message_id},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", options_.model},
                      {"content", json::array()},
                      {"stop_reason", nullptr},
                      {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}}}},
                   turn.message_id);
}

void FakeAgent::EndMessage(Turn& turn, const json& stop_reason,
                           const std::function<void()>& before_stop) {
  out_.StreamEvent({{"type", "message_delta"},
                    {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
                    {"usage", {{"output_tokens", 5}}}},
                   turn.message_id);
  if (before_stop) before_stop();
  out_.StreamEvent({{"type", "message_stop"}}, turn.message_id);
  turn.message_open = false;
}

// One content block streamed piece by piece, `interval_us` apart. "echo" makes its
// pieces as it sends them. Returns false when interrupted (the turn is then finished).
bool FakeAgent::StreamBlock(Turn& turn, const std::string& type,
                            const std::vector<std::string>& pieces, int64_t interval_us) {
  const bool thinking = type == "thinking";
  const std::string field = thinking ? "thinking" : "text";
  const int index = turn.block_index++;
  json start = {{"type", thinking ? "thinking" : "text"}, {field, ""}};
  out_.StreamEvent({{"type", "content_block_start"}, {"index", index}, {"content_block", start}},
                   turn.message_id);
  std::string so_far;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (interval_us > 0 && Pump(Clock::now() + std::chrono::microseconds(interval_us), nullptr) ==
                               Wake::kInterrupted) {
      FinishInterrupted(turn, so_far, false);
      return false;
    }
    if (type == "echo") {
      out_.FastTextDelta(index, EchoPiece(static_cast<std::int64_t>(i)), turn.message_id);
      continue;
    }
    const std::string& piece = pieces[i];
    if (thinking) {
      // The CLI reports a running estimate (~4 characters a token) before each delta.
      const auto before = (so_far.size() + 3) / 4;
      const auto after = (so_far.size() + piece.size() + 3) / 4;
      out_.ThinkingTokens(static_cast<int>(after), static_cast<int>(after - before));
    }
    so_far += piece;
    out_.StreamEvent(
        {{"type", "content_block_delta"},
         {"index", index},
         {"delta", {{"type", thinking ? "thinking_delta" : "text_delta"}, {field, piece}}}},
        turn.message_id);
  }
  if (type == "echo") so_far = "echo " + std::to_string(pieces.size()) + " lines";
  json block = {{"type", thinking ? "thinking" : "text"}, {field, so_far}};
  if (thinking) {
    block["signature"] = "fake-signature";
    out_.StreamEvent({{"type", "content_block_delta"},
                      {"index", index},
                      {"delta", {{"type", "signature_delta"}, {"signature", "fake-signature"}}}},
                     turn.message_id);
  }
  out_.Assistant(turn.message_id, options_.model, block);
  out_.StreamEvent({{"type", "content_block_stop"}, {"index", index}}, turn.message_id);
  if (!thinking) {
    turn.last_text = so_far;
    (void)transcript_->Append("assistant", so_far);
  }
  return true;
}

void FakeAgent::FinishInterrupted(Turn& turn, const std::string& text_so_far, bool tool_use) {
  AnswerInterrupt();
  if (turn.message_open && !text_so_far.empty()) {
    out_.Assistant(turn.message_id, options_.model, {{"type", "text"}, {"text", text_so_far}});
  }
  const char* marker =
      tool_use ? "[Request interrupted by user for tool use]" : "[Request interrupted by user]";
  out_.UserContent(json::array({{{"type", "text"}, {"text", marker}}}));
  if (turn.message_open) {
    out_.StreamEvent({{"type", "content_block_stop"}, {"index", turn.block_index - 1}},
                     turn.message_id);
    EndMessage(turn, json(nullptr));
  }
  out_.Result({{"subtype", "error_during_execution"},
               {"is_error", true},
               {"num_turns", turn.api_calls},
               {"duration_ms", 0},
               {"stop_reason", tool_use ? json("tool_use") : json(nullptr)},
               {"terminal_reason", "aborted_streaming"},
               {"total_cost_usd", total_cost_usd_},
               {"permission_denials", turn.permission_denials}});
  turn.ended = true;
  last_turn_error_ = true;
}

void FakeAgent::FinishTurn(Turn& turn, bool is_error, const std::string& error) {
  if (turn.message_open) EndMessage(turn, "end_turn");
  json result = {{"subtype", "success"},
                 {"is_error", is_error},
                 {"num_turns", turn.api_calls},
                 {"duration_ms", 1},
                 {"duration_api_ms", 1},
                 {"stop_reason", "end_turn"},
                 {"terminal_reason", "completed"},
                 {"total_cost_usd", total_cost_usd_},
                 {"usage",
                  {{"input_tokens", 10 * turn.api_calls},
                   {"output_tokens", 5 * turn.api_calls},
                   {"cache_creation_input_tokens", 0},
                   {"cache_read_input_tokens", 0}}},
                 {"permission_denials", turn.permission_denials},
                 {"result", is_error ? error : turn.last_text}};
  if (is_error) result["errors"] = json::array({error});
  out_.Result(std::move(result));
  turn.ended = true;
  last_turn_error_ = is_error;
}

[[noreturn]] void FakeAgent::Hang(bool ignore_term) {
  if (ignore_term) (void)::signal(SIGTERM, SIG_IGN);
  while (true) ::pause();
}

}  // namespace hotplex::fake_agent
