// FakeAgent: a tool_use block, the can_use_tool round trip, and running the tool.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/unique_fd.hpp"
#include "tests/fake_agent/fake_agent.hpp"

namespace hotplex::fake_agent {
namespace {

using nlohmann::json;

constexpr std::size_t kToolOutputLimit = std::size_t{64} * 1024;
constexpr const char* kRejected =
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
    "was a file edit, the new_string was NOT written to the file). STOP what you are doing and "
    "wait for the user to tell you how to proceed.";

constexpr const char* kStoppedWhileRunning =
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
    "was a file edit, the new_string was NOT written to the file). STOP what you are doing and "
    "wait for the user to tell you how to proceed. Correction to the text above: this call was "
    "stopped while running, not refused before it ran. It may have run in part or in full, and "
    "its changes may have been written.";

json ToolResult(const std::string& id, const std::string& content, bool is_error) {
  return json::array({{{"type", "tool_result"},
                       {"tool_use_id", id},
                       {"content", content},
                       {"is_error", is_error}}});
}

}  // namespace

void FakeAgent::EmitToolUse(const Directive& d, Turn& turn, const std::string& tool_use_id,
                            const std::string& request_id) {
  const int index = turn.block_index++;
  json block = {{"type", "tool_use"}, {"id", tool_use_id}, {"name", d.text}, {"input", d.input}};
  out_.StreamEvent(
      {{"type", "content_block_start"},
       {"index", index},
       {"content_block",
        {{"type", "tool_use"}, {"id", tool_use_id}, {"name", d.text}, {"input", json::object()}}}},
      turn.message_id);
  out_.StreamEvent({{"type", "content_block_delta"},
                    {"index", index},
                    {"delta", {{"type", "input_json_delta"}, {"partial_json", d.input.dump()}}}},
                   turn.message_id);
  out_.Assistant(turn.message_id, options_.model, block);
  out_.StreamEvent({{"type", "content_block_stop"}, {"index", index}}, turn.message_id);
  // The CLI asks between the message_delta and the message_stop of the tool's message.
  EndMessage(turn, "tool_use", [&] {
    out_.ControlRequest(request_id, {{"subtype", "can_use_tool"},
                                     {"tool_name", d.text},
                                     {"display_name", d.text},
                                     {"input", d.input},
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
    const auto outcome = RunTool(d.text, decision.value("updatedInput", d.input));
    if (!outcome) {
      AnswerInterrupt();
      out_.UserContent(ToolResult(tool_use_id, kStoppedWhileRunning, true));
      FinishInterrupted(turn, "", true);
      return false;
    }
    content = outcome->content;
    is_error = outcome->is_error;
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

// Bash runs for real with /bin/sh -c (so tests can see its effects), in its own process
// group, while stdin is still watched: an interrupt kills the command, as the CLI does.
// Any other tool just succeeds. nullopt: interrupted.
std::optional<FakeAgent::ToolOutcome> FakeAgent::RunTool(const std::string& name,
                                                         const json& input) {
  if (name != "Bash") return ToolOutcome{"fake-agent: " + name + " done", false};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ToolOutcome{"fake-agent: pipe failed", true};
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.Get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.Get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  const std::string command = input.value("command", "");
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, const_cast<char**>(argv), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  write_end.Reset();
  if (rc != 0) return ToolOutcome{"fake-agent: cannot run /bin/sh", true};
  std::string output;
  if (!CollectOutput(read_end.Get(), output)) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return std::nullopt;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  if (output.empty()) {
    output = failed ? "Error: exit code " + std::to_string(WEXITSTATUS(status))
                    : "(Bash completed with no output)";
  }
  return ToolOutcome{output, failed};
}

// Reads the command's output until EOF; false when an interrupt came first.
bool FakeAgent::CollectOutput(int fd, std::string& output) {
  char buffer[4096];
  while (true) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 10) > 0) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n == 0) return true;
      if (n > 0 && output.size() < kToolOutputLimit)
        output.append(buffer, static_cast<std::size_t>(n));
    }
    if (Pump(Clock::now() + std::chrono::milliseconds(1), nullptr) == Wake::kInterrupted) {
      return false;
    }
  }
}

}  // namespace hotplex::fake_agent
