#include "supervisor/exec_provider.hpp"

#include <csignal>

namespace hotplex::supervisor {

ExecProvider::ExecProvider(ProviderHost& host, std::vector<std::string> argv)
    : host_(host), argv_(std::move(argv)) {}

std::vector<std::string> ExecProvider::Argv(bool) const { return argv_; }

void ExecProvider::SendPrompt(std::string_view text) {
  // A trailing newline would become an extra empty input line.
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  host_.WriteLine(std::string(text));
}

void ExecProvider::EmitLine(std::string_view line, bool truncated, const char* stream) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  host_.Emit(Text{std::string(line), /*delta=*/false, truncated, stream});
}

void ExecProvider::OnStdoutLine(std::string_view line, bool truncated) {
  EmitLine(line, truncated, "stdout");
}

void ExecProvider::OnStderrLine(std::string_view line, bool truncated) {
  EmitLine(line, truncated, "stderr");
}

hotplex::Status ExecProvider::Interrupt() {
  host_.SignalAgent(SIGINT);
  return {};
}

hotplex::Status ExecProvider::AnswerPermission(std::string_view, bool, std::string_view) {
  return MakeError("exec sessions have no permission requests");
}

bool ExecCommandAllowed(const std::string& argv0, const std::vector<std::string>& allowed) {
  // Exact match only: a basename match would let "/workdir/evil/bash" pass as "bash".
  for (const auto& a : allowed) {
    if (a == argv0) return true;
  }
  return false;
}

}  // namespace hotplex::supervisor
