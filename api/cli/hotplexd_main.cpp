// hotplexd: dispatches to the sub-commands declared in api/cli/cli.hpp.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "api/cli/cli.hpp"

namespace {

struct SubCommand {
  const char* name;
  int (*main)(int, char**);
  const char* summary;
};

constexpr SubCommand kCommands[] = {
    {"doctor", hotplex::cli::DoctorMain, "check this machine for what the daemon needs"},
    {"run", hotplex::cli::RunMain, "run a command in a sandbox (like bwrap or nsjail)"},
    {"policy", hotplex::cli::PolicyMain, "check, show and explain policy files"},
    {"serve", hotplex::cli::ServeMain, "run the daemon: agent sessions over HTTP, SSE, WebSocket"},
    {"chat", hotplex::cli::ChatMain, "chat with an agent session from the terminal"},
    {"status", hotplex::cli::StatusMain, "the running daemon's state (admin API)"},
    {"session", hotplex::cli::SessionMain, "list, show, kill sessions and read their logs"},
    {"audit", hotplex::cli::AuditMain, "query, export and verify the audit trail"},
    {"config", hotplex::cli::ConfigMain, "validate a daemon config file"},
    {"version", hotplex::cli::VersionMain, "print the version"},
};

void PrintUsage(std::FILE* out) {
  std::fputs(
      "usage: hotplexd <command> [options]\n\n"
      "HotPlex runs AI coding agents in sandboxes and serves them over HTTP.\n\n"
      "commands:\n",
      out);
  for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fputs("\n'hotplexd <command> --help' describes a command.\n", out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (name == "--version") return hotplex::cli::VersionMain(argc - 1, argv + 1);
  for (const auto& c : kCommands) {
    if (name == c.name) return c.main(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "hotplexd: unknown command '%s'\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}
