// ExecProvider: any line-oriented CLI (bash, python3 -i, ...). Each message is
// written to stdin as lines; every stdout/stderr line becomes a `text` event.
// There is no turn structure: the session stays `ready`. Interrupt sends
// SIGINT to the agent's process group.
// Thread-safety: driven by its session's strand only.
#pragma once

#include <string>
#include <vector>

#include "supervisor/provider.hpp"

namespace hotplex::supervisor {

class ExecProvider final : public Provider {
 public:
  ExecProvider(ProviderHost& host, std::vector<std::string> argv);

  const char* Name() const override { return "exec"; }
  std::vector<std::string> Argv(bool resume) const override;
  bool HasTurns() const override { return false; }
  void OnStarted() override { host_.AgentReady(); }
  void SendPrompt(std::string_view text) override;
  void OnStdoutLine(std::string_view line, bool truncated) override;
  void OnStderrLine(std::string_view line, bool truncated) override;
  hotplex::Status Interrupt() override;
  hotplex::Status AnswerPermission(std::string_view request_id, bool allow,
                                   std::string_view message) override;
  void OnAgentExit() override {}

 private:
  void EmitLine(std::string_view line, bool truncated, const char* stream);

  ProviderHost& host_;
  const std::vector<std::string> argv_;
};

// Whether `argv0` is exactly one of `allowed` ("bash" allows a PATH lookup of
// bash, "/usr/bin/python3" that path).
bool ExecCommandAllowed(const std::string& argv0, const std::vector<std::string>& allowed);

}  // namespace hotplex::supervisor
