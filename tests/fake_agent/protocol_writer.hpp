// ProtocolWriter: prints the stdout lines of Claude Code's stream-json protocol (see
// docs/claude-code-protocol.md) for the fake agent: system/init, stream_event,
// assistant, user (tool_result), result and the control_* lines, each with the
// session_id/uuid fields the real CLI adds. Thread-safety: one owner thread.
#pragma once

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace hotplex::fake_agent {

class ProtocolWriter {
 public:
  ProtocolWriter(int fd, std::string session_id);

  void Init(const std::string& cwd, const std::string& model);
  void Status(const std::string& status);
  void ThinkingTokens(int estimated, int delta);
  void StreamEvent(nlohmann::json event, const std::string& message_id);
  // The same line as StreamEvent of a text_delta, formatted by hand for the benchmark
  // path. `text` must need no JSON escaping other than '\n'.
  void FastTextDelta(int index, const std::string& text, const std::string& message_id);
  void Assistant(const std::string& message_id, const std::string& model, nlohmann::json block);
  void UserContent(nlohmann::json content);
  void Result(nlohmann::json fields);
  void ControlRequest(const std::string& request_id, nlohmann::json request);
  void ControlSuccess(const std::string& request_id, nlohmann::json response);
  void ControlError(const std::string& request_id, const std::string& error);
  void ControlCancel(const std::string& request_id);

  std::string NewUuid();

 private:
  void Emit(const nlohmann::json& line);
  void EmitSessionLine(nlohmann::json line);

  int fd_;
  std::string session_id_;
  std::mt19937_64 rng_;
};

}  // namespace hotplex::fake_agent
