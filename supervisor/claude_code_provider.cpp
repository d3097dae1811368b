#include "supervisor/claude_code_provider.hpp"

#include <algorithm>

namespace hotplex::supervisor {
namespace {

using nlohmann::json;

// Type-checked field access: agent output is untrusted input, and nlohmann's
// value() throws when a field exists with another type.
std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

std::uint64_t U64(const json& j, const char* key) {
  const json& v = Field(j, key);
  return v.is_number_unsigned() ? v.get<std::uint64_t>()
         : v.is_number_integer() && v.get<std::int64_t>() > 0
             ? static_cast<std::uint64_t>(v.get<std::int64_t>())
             : 0;
}

bool Bool(const json& j, const char* key) {
  const json& v = Field(j, key);
  return v.is_boolean() && v.get<bool>();
}

// tool_result content is a string or a list of {type: text, text} blocks.
std::string ToolResultText(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const auto& block : content) {
    if (Str(block, "type") == "text") out += Str(block, "text");
  }
  return out;
}

std::string Clip(std::string_view s, std::size_t n) {
  return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "...";
}

constexpr const char* kAskEverythingSettings =
    R"({"permissions":{"ask":["Bash","Read","Edit","Write","MultiEdit","Glob","Grep",)"
    R"("NotebookEdit","WebFetch","WebSearch"]}})";

}  // namespace

std::string SummarizeToolInput(std::string_view tool, const json& input) {
  for (const char* key : {"command", "file_path", "notebook_path", "path", "pattern", "url"}) {
    const std::string v = Str(input, key);
    if (!v.empty()) return Clip(v, 512);
  }
  (void)tool;
  return Clip(input.dump(-1, ' ', false, json::error_handler_t::replace), 512);
}

ClaudeCodeProvider::ClaudeCodeProvider(ProviderHost& host, ClaudeCodeSettings settings)
    : host_(host), settings_(std::move(settings)) {}

std::vector<std::string> ClaudeCodeProvider::Argv(bool resume) const {
  std::vector<std::string> argv = settings_.command;
  for (const char* a :
       {"-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--include-partial-messages", "--permission-prompt-tool", "stdio"}) {
    argv.emplace_back(a);
  }
  // Without ask rules the CLI auto-allows "read-only" calls (ls, cat in the
  // workdir) and never asks us; the policy must see every call.
  argv.insert(argv.end(), {"--settings", kAskEverythingSettings});
  argv.emplace_back(resume ? "--resume" : "--session-id");
  argv.push_back(settings_.session_id);
  if (!settings_.model.empty()) argv.insert(argv.end(), {"--model", settings_.model});
  if (!settings_.append_system_prompt.empty()) {
    argv.insert(argv.end(), {"--append-system-prompt", settings_.append_system_prompt});
  }
  argv.insert(argv.end(), settings_.extra_args.begin(), settings_.extra_args.end());
  return argv;
}

void ClaudeCodeProvider::OnStarted() {
  initialize_id_ = "hotplex-init-" + std::to_string(next_request_++);
  json msg = {{"type", "control_request"},
              {"request_id", initialize_id_},
              {"request", {{"subtype", "initialize"}}}};
  host_.WriteLine(msg.dump());
}

void ClaudeCodeProvider::SendPrompt(std::string_view text) {
  json msg = {{"type", "user"}, {"message", {{"role", "user"}, {"content", std::string(text)}}}};
  host_.WriteLine(msg.dump(-1, ' ', false, json::error_handler_t::replace));
}

void ClaudeCodeProvider::OnStdoutLine(std::string_view line, bool truncated) {
  if (truncated) {
    host_.Emit(ErrorEvent{ErrorCode::kLineTruncated,
                          "an agent output line exceeded the line limit and was cut; it was not "
                          "interpreted"});
    // The CLI's `result` line repeats the turn's whole final text. Cut, it cannot be
    // parsed, but it still ends the turn: without this the session stayed busy forever.
    // Its text already reached the clients as stream deltas; its usage is lost.
    if (IsCutResultLine(line)) EndTurnWithoutResult();
    return;
  }
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  json msg = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_object()) {
    host_.Emit(
        ErrorEvent{ErrorCode::kUnparsedOutput, "agent wrote a non-JSON line: " + Clip(line, 200)});
    return;
  }
  Dispatch(msg);
}

void ClaudeCodeProvider::OnStderrLine(std::string_view line, bool) {
  // The CLI writes diagnostics to stderr; they are not part of the conversation.
  if (!line.empty()) host_.Emit(ErrorEvent{ErrorCode::kAgentStderr, Clip(line, 2000)});
}

void ClaudeCodeProvider::Dispatch(const json& msg) {
  const std::string type = Str(msg, "type");
  if (type == "stream_event") return OnStreamEvent(Field(msg, "event"));
  if (type == "assistant") return OnAssistant(msg);
  if (type == "user") return OnUser(msg);
  if (type == "result") return OnResult(msg);
  if (type == "control_request") return OnControlRequest(msg);
  if (type == "control_response") return OnControlResponse(msg);
  if (type == "control_cancel_request") return OnControlCancel(msg);
  // "system" (init, status), "keep_alive", ...: nothing for clients.
}

void ClaudeCodeProvider::OnStreamEvent(const json& event) {
  const std::string type = Str(event, "type");
  if (type == "message_start") {
    const std::string id = Str(Field(event, "message"), "id");
    if (!id.empty()) streamed_messages_.insert(id);
    return;
  }
  if (type != "content_block_delta") return;
  const json& delta = Field(event, "delta");
  const std::string kind = Str(delta, "type");
  if (kind == "text_delta") host_.Emit(Text{Str(delta, "text"), true, false, {}});
  if (kind == "thinking_delta") host_.Emit(Thinking{Str(delta, "thinking"), true});
}

void ClaudeCodeProvider::OnAssistant(const json& msg) {
  const json& message = Field(msg, "message");
  const bool streamed = streamed_messages_.count(Str(message, "id")) > 0;
  const json& content = Field(message, "content");
  if (!content.is_array()) return;
  for (const auto& block : content) {
    const std::string type = Str(block, "type");
    if (type == "text" && !streamed) host_.Emit(Text{Str(block, "text"), false, false, {}});
    if (type == "thinking" && !streamed) host_.Emit(Thinking{Str(block, "thinking"), false});
    if (type == "tool_use") {
      host_.Emit(ToolUse{Str(block, "id"), Str(block, "name"), Field(block, "input")});
    }
  }
}

void ClaudeCodeProvider::OnUser(const json& msg) {
  const json& content = Field(Field(msg, "message"), "content");
  if (!content.is_array()) return;
  for (const auto& block : content) {
    if (Str(block, "type") != "tool_result") continue;
    host_.Emit(ToolResult{Str(block, "tool_use_id"), ToolResultText(Field(block, "content")),
                          Bool(block, "is_error")});
  }
}

// The CLI writes "type" as the first key of every message it prints.
bool ClaudeCodeProvider::IsCutResultLine(std::string_view line) {
  return line.substr(0, 64).find(R"("type":"result")") != std::string_view::npos;
}

void ClaudeCodeProvider::EndTurnWithoutResult() {
  TurnEnd end;
  end.is_error = true;
  end.subtype = "result_truncated";
  end.result = "the agent's final result line exceeded events.max_line_bytes and was cut";
  streamed_messages_.clear();
  host_.Emit(std::move(end));
}

void ClaudeCodeProvider::OnResult(const json& msg) {
  const json& usage = Field(msg, "usage");
  const json& cost = Field(msg, "total_cost_usd");
  const double total = cost.is_number() ? cost.get<double>() : process_cost_usd_;
  const double turn_cost = total > process_cost_usd_ ? total - process_cost_usd_ : 0.0;
  process_cost_usd_ = std::max(total, process_cost_usd_);
  host_.Emit(Usage{U64(usage, "input_tokens"), U64(usage, "output_tokens"),
                   U64(usage, "cache_read_input_tokens"), U64(usage, "cache_creation_input_tokens"),
                   turn_cost});
  const json& duration = Field(msg, "duration_ms");
  TurnEnd end;
  end.result = Str(msg, "result");
  end.is_error = Bool(msg, "is_error");
  end.subtype = Str(msg, "subtype");
  end.duration_ms = duration.is_number() ? duration.get<std::int64_t>() : 0;
  streamed_messages_.clear();
  host_.Emit(std::move(end));
}

void ClaudeCodeProvider::OnControlRequest(const json& msg) {
  const std::string request_id = Str(msg, "request_id");
  const json& request = Field(msg, "request");
  const std::string subtype = Str(request, "subtype");
  if (subtype == "can_use_tool") return OnCanUseTool(request_id, request);
  // Never leave a control request unanswered: the CLI would wait forever.
  AnswerError(request_id, "unsupported control request subtype '" + subtype + "'");
  host_.Emit(ErrorEvent{ErrorCode::kUnsupportedControlRequest,
                        "answered control request '" + subtype + "' with an error"});
}

void ClaudeCodeProvider::OnControlResponse(const json& msg) {
  const json& response = Field(msg, "response");
  if (!initialize_id_.empty() && Str(response, "request_id") == initialize_id_) {
    initialize_id_.clear();
    host_.AgentReady();
  }
  if (Str(response, "subtype") == "error") {
    host_.Emit(ErrorEvent{ErrorCode::kAgentControlError, Clip(Str(response, "error"), 2000)});
  }
}

// The CLI withdraws a pending can_use_tool (e.g. after an interrupt): it must
// not be answered any more.
void ClaudeCodeProvider::OnControlCancel(const json& msg) {
  auto it = pending_.find(Str(msg, "request_id"));
  if (it == pending_.end()) return;
  PendingAsk ask = std::move(it->second);
  const std::string request_id = it->first;
  pending_.erase(it);
  host_.CancelTimer(ask.timer);
  Conclude(request_id, ask.tool, ask.input, false, ask.verdict, DecisionSource::kCancelled,
           "the agent withdrew the request");
}

void ClaudeCodeProvider::OnCanUseTool(const std::string& request_id, const json& request) {
  const std::string tool = Str(request, "tool_name");
  const json& input = Field(request, "input");
  ToolVerdict verdict;
  if (settings_.governor) {
    verdict = settings_.governor->DecideTool(tool, input, host_.WorkDir());
  } else {
    verdict.verdict = policies::Verdict::kDeny;  // a Decision allows by default
    verdict.message = "no policy is in force for this session";
  }
  if (verdict.verdict == policies::Verdict::kAsk) {
    PendingAsk ask{tool, input, verdict, 0};
    ask.timer = host_.ScheduleAfter(settings_.ask_timeout,
                                    [this, request_id] { OnAskTimeout(request_id); });
    pending_.emplace(request_id, std::move(ask));
    host_.Emit(PermissionRequest{request_id, tool, input, verdict.rule, verdict.message,
                                 settings_.ask_timeout.count()});
    return;
  }
  const bool allow = verdict.Allowed();
  Conclude(request_id, tool, input, allow, verdict, DecisionSource::kPolicy, verdict.message);
}

hotplex::Status ClaudeCodeProvider::AnswerPermission(std::string_view request_id, bool allow,
                                                     std::string_view message) {
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return MakeError("no pending permission request with this id");
  PendingAsk ask = std::move(it->second);
  pending_.erase(it);
  host_.CancelTimer(ask.timer);
  std::string text(message);
  if (text.empty()) text = allow ? "allowed by the user" : "denied by the user";
  Conclude(std::string(request_id), ask.tool, ask.input, allow, ask.verdict,
           DecisionSource::kClient, text);
  return {};
}

void ClaudeCodeProvider::OnAskTimeout(const std::string& request_id) {
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return;
  PendingAsk ask = std::move(it->second);
  pending_.erase(it);
  const std::string text = "no answer to the permission request within " +
                           std::to_string(settings_.ask_timeout.count()) + " ms; denied";
  Conclude(request_id, ask.tool, ask.input, false, ask.verdict, DecisionSource::kTimeout, text);
}

void ClaudeCodeProvider::Answer(const std::string& request_id, bool allow, const json& input,
                                const std::string& message) {
  json inner = allow ? json{{"behavior", "allow"}, {"updatedInput", input}}
                     : json{{"behavior", "deny"}, {"message", message}};
  json msg = {
      {"type", "control_response"},
      {"response", {{"subtype", "success"}, {"request_id", request_id}, {"response", inner}}}};
  host_.WriteLine(msg.dump(-1, ' ', false, json::error_handler_t::replace));
}

void ClaudeCodeProvider::AnswerError(const std::string& request_id, const std::string& error) {
  json msg = {{"type", "control_response"},
              {"response", {{"subtype", "error"}, {"request_id", request_id}, {"error", error}}}};
  host_.WriteLine(msg.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Durable before acknowledged: the decision is recorded first, and the agent is
// answered (and the event published) only once the record is committed. If the
// audit store cannot write, the call is denied instead (fail closed).
void ClaudeCodeProvider::Conclude(const std::string& request_id, const std::string& tool,
                                  const json& input, bool allow, const ToolVerdict& verdict,
                                  DecisionSource source, std::string message) {
  PermissionDecision decision{request_id,
                              tool,
                              SummarizeToolInput(tool, input),
                              allow,
                              verdict.rule,
                              verdict.level,
                              verdict.category,
                              std::move(message),
                              source};
  // A withdrawn request must not be answered; it is only recorded.
  const bool answer = source != DecisionSource::kCancelled;
  host_.RecordDecision(decision,
                       [this, decision, input, answer](const hotplex::Status& durable) mutable {
                         if (!durable) {
                           decision.allowed = false;
                           decision.message = durable.error().Describe();
                           if (decision.message.rfind("audit store unavailable", 0) != 0) {
                             decision.message = "audit store unavailable: " + decision.message;
                           }
                         }
                         if (answer)
                           Answer(decision.request_id, decision.allowed, input, decision.message);
                         host_.Emit(std::move(decision));
                       });
}

hotplex::Status ClaudeCodeProvider::Interrupt() {
  json msg = {{"type", "control_request"},
              {"request_id", "hotplex-interrupt-" + std::to_string(next_request_++)},
              {"request", {{"subtype", "interrupt"}}}};
  host_.WriteLine(msg.dump());
  return {};
}

void ClaudeCodeProvider::OnAgentExit() {
  for (auto& [id, ask] : pending_) host_.CancelTimer(ask.timer);
  pending_.clear();
  streamed_messages_.clear();
}

}  // namespace hotplex::supervisor
