// FakeAgent: a tool_use block, the can_use_tool round trip, and running the tool.
#include <sys/wait.h>

#include <cstdio>

#include "tests/fake_agent/fake_agent.hpp"

namespace hotplex::fake_agent {
namespace {

using nlohmann::json;

constexpr std::size_t kToolOutputLimit = 64 * 1024;
constexpr const char* kRejected =
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
    "was a file edit, the new_string was NOT written to the file). STOP what you are doing and "
    "wait for the user to tell you how to proceed.";

json ToolResult(const std::string& id, const std::string& content, bool is_error) {
  return json::array(
      {{{"type", "tool_result"}, {"tool_use_id", id}, {"content", content}, {"is_error", is_error}}});
}

}  // namespace

void FakeAgent::EmitToolUse(const Directive& d, Turn& turn, const std::string& tool_use_id,
                            const std::string& request_id) {
  const int index = turn.block_index++;
  json block = {{"type", "tool_use"}, {"id", tool_use_id}, {"name", d.text}, {"input", d.input}};
  out_.StreamEvent({{"type", "content_block_start"}, {"index", index},
                    {"content_block", {{"type", "tool_use"}, {"id", tool_use_id},
                                       {"name", d.text}, {"input", json::object()}}}},
                   turn.message_id);
  out_.StreamEvent({{"type", "content_block_delta"}, {"index", index},
                    {"delta", {{"type", "input_json_delta"}, {"partial_json", d.input.dump()}}}},
                   turn.message_id);
  out_.Assistant(turn.message_id, options_.model, block);
  out_.StreamEvent({{"type", "content_block_stop"}, {"index", index}}, turn.message_id);
  // The CLI asks between the message_delta and the message_stop of the tool's message.
  EndMessage(turn, "tool_use", [&] {
    out_.ControlRequest(request_id, {{"subtype", "can_use_tool"}, {"tool_name", d.text},
                                     {"display_name", d.text}, {"input", d.input},
                                     {"tool_use_id", tool_use_id}});
  });
}

bool FakeAgent::UseTool(const Directive& d, Turn& turn) {
  const std::string tool_use_id = "toolu_fake_agent_" + std::to_string(message_counter_);
  const std::string request_id = out_.NewUuid();
  EmitToolUse(d, turn, tool_use_id, request_id);
  const Wake wake = Pump(std::nullopt, &request_id);
  if (wake == Wake::kEof) std::exit(1);  // nobody left to answer
  if (wake == Wake::kInterrupted) {
    out_.ControlCancel(request_id);
    AnswerInterrupt();
    out_.UserContent(ToolResult(tool_use_id, kRejected, true));
    FinishInterrupted(turn, "", true);
    return false;
  }
  const json response = std::move(responses_[request_id]);
  responses_.erase(request_id);
  const json decision = response.value("response", json::object());
  const bool allowed =
      response.value("subtype", "") == "success" && decision.value("behavior", "") == "allow";
  std::string content;
  bool is_error = true;
  if (allowed) {
    std::tie(content, is_error) = RunTool(d.text, decision.value("updatedInput", d.input));
  } else if (response.value("subtype", "") != "success") {
    content = "Tool permission request failed: Error: " + response.value("error", std::string());
  } else {
    content = decision.value("message", std::string("Permission denied"));
  }
  if (!allowed) {
    turn.permission_denials.push_back(
        {{"tool_name", d.text}, {"tool_use_id", tool_use_id}, {"tool_input", d.input}});
  }
  out_.UserContent(ToolResult(tool_use_id, content, is_error));
  turn.pending_reply = "Tool " + d.text + (is_error ? " failed." : " finished.");
  return true;
}

// Bash runs for real (so tests can see its effects); any other tool just succeeds.
std::pair<std::string, bool> FakeAgent::RunTool(const std::string& name, const json& input) {
  if (name != "Bash") return {"fake-agent: " + name + " done", false};
  const std::string command = input.value("command", "");
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {"fake-agent: cannot run /bin/sh", true};
  std::string output;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    if (output.size() < kToolOutputLimit) output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  if (output.empty()) output = failed ? "Error: exit code " + std::to_string(WEXITSTATUS(status))
                                      : "(Bash completed with no output)";
  return {output, failed};
}

}  // namespace hotplex::fake_agent
