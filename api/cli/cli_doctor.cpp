// hotplexd doctor: runs the local checks of supervisor/doctor/doctor_checks.hpp and
// prints them as a table (people) or JSON (scripts).
//
// Exit codes: 0 = no check failed (warnings allowed), 1 = at least one FAIL,
// 2 = usage or config error (no check ran).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "api/cli/cli.hpp"
#include "common/argv.hpp"
#include "supervisor/daemon_config.hpp"
#include "supervisor/doctor/doctor_checks.hpp"

namespace hotplex::cli {
namespace {

namespace sv = supervisor;

constexpr const char* kUsage =
    "usage: hotplexd doctor [--config FILE] [--state-dir DIR] [--listen HOST:PORT]\n"
    "                       [--admin-listen HOST:PORT] [--json]\n\n"
    "Checks this machine for what hotplexd serve needs: kernel version, user namespaces,\n"
    "cgroups and their controllers, seccomp, the docker socket and its API version, the\n"
    "claude CLI (claude_code.command) and its version, the state dir's owner and modes,\n"
    "and that the API and admin ports are free. Each check is PASS, WARN or FAIL; a\n"
    "WARN or FAIL says how to fix it. The options mean what they mean for `serve`.\n\n"
    "  --json   one JSON object: {\"checks\":[{\"name\",\"status\",\"detail\",\"fix\"}],\n"
    "           \"summary\":{\"pass\":N,\"warn\":N,\"fail\":N},\"exit_code\":N}\n\n"
    "exit codes: 0 no FAIL (WARN allowed), 1 at least one FAIL, 2 usage or config error\n";

struct DoctorArgs {
  std::string config_file, state_dir, listen, admin_listen;
  bool json = false;
  bool help = false;
};

Result<DoctorArgs> ParseArgs(int argc, char** argv) {
  DoctorArgs args;
  ArgvParser parser;
  parser.Switch({"--help", "-h"}, args.help)
      .Switch({"--json"}, args.json)
      .Value({"--config"}, args.config_file)
      .Value({"--state-dir"}, args.state_dir)
      .Value({"--listen"}, args.listen)
      .Value({"--admin-listen"}, args.admin_listen);
  HOTPLEX_TRY(const auto rest, parser.Parse(ArgsOf(argc, argv)));
  if (!rest.empty()) return MakeError("unexpected argument '" + rest[0] + "'");
  return args;
}

Result<sv::DaemonConfig> BuildConfig(const DoctorArgs& args) {
  sv::DaemonConfig config;
  if (!args.config_file.empty()) {
    HOTPLEX_TRY(config, sv::LoadDaemonConfig(args.config_file));
  }
  if (!args.state_dir.empty()) config.state_dir = args.state_dir;
  if (!args.listen.empty()) {
    HOTPLEX_TRY(config.api, sv::ParseListenAddress(args.listen));
  }
  if (!args.admin_listen.empty()) {
    HOTPLEX_TRY(config.admin, sv::ParseListenAddress(args.admin_listen));
  }
  return config;
}

void PrintTable(const std::vector<sv::CheckResult>& checks) {
  std::printf("%-16s %-6s %s\n", "CHECK", "STATUS", "DETAIL");
  for (const auto& c : checks) {
    std::string status = sv::CheckStatusName(c.status);
    for (auto& ch : status) ch = static_cast<char>(ch - 'a' + 'A');
    std::printf("%-16s %-6s %s\n", c.name.c_str(), status.c_str(), c.detail.c_str());
    if (!c.fix.empty()) std::printf("%-16s %-6s fix: %s\n", "", "", c.fix.c_str());
  }
}

int CountOf(const std::vector<sv::CheckResult>& checks, sv::CheckStatus status) {
  int n = 0;
  for (const auto& c : checks) n += c.status == status ? 1 : 0;
  return n;
}

}  // namespace

int DoctorMain(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  if (!args) {
    std::fprintf(stderr, "hotplexd doctor: %s\n%s", args.error().Describe().c_str(), kUsage);
    return 2;
  }
  if (args->help) return std::fputs(kUsage, stdout), 0;
  auto config = BuildConfig(*args);
  if (!config) {
    std::fprintf(stderr, "hotplexd doctor: %s\n", config.error().Describe().c_str());
    return 2;
  }
  const auto checks = sv::RunDoctorChecks(*config);
  const int pass = CountOf(checks, sv::CheckStatus::kPass);
  const int warn = CountOf(checks, sv::CheckStatus::kWarn);
  const int fail = CountOf(checks, sv::CheckStatus::kFail);
  const int exit_code = fail > 0 ? 1 : 0;
  if (args->json) {
    nlohmann::json out{{"summary", {{"pass", pass}, {"warn", warn}, {"fail", fail}}},
                       {"exit_code", exit_code}};
    out["checks"] = nlohmann::json::array();
    for (const auto& c : checks) {
      out["checks"].push_back({{"name", c.name},
                               {"status", sv::CheckStatusName(c.status)},
                               {"detail", c.detail},
                               {"fix", c.fix}});
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintTable(checks);
    std::printf("\n%zu checks: %d pass, %d warn, %d fail\n", checks.size(), pass, warn, fail);
  }
  return exit_code;
}

}  // namespace hotplex::cli
