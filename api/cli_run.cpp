// hotplexd run: the standalone sandbox front end, like bwrap or nsjail.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "api/cli.hpp"
#include "api/run_options.hpp"
#include "common/units.hpp"
#include "sandbox/foreground.hpp"

extern char** environ;

namespace hotplex::cli {
namespace {

constexpr int kUsageExit = 2;

std::vector<std::string> HostEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

// Fills in what the command line left to defaults.
Status ResolveDefaults(RunOptions& o) {
  if (!o.policy_file.empty()) {
    return MakeError("--policy: policy files are not supported by this build yet");
  }
  if (o.workdir) {
    o.spec.workdir = *o.workdir;
  } else {
    HOTPLEX_TRY(o.spec.workdir, sandbox::CurrentDirectory());
  }
  if (o.host_uid) {
    o.spec.identity.host_uid = *o.host_uid;
    o.spec.identity.host_gid = *o.host_gid;
  } else {
    HOTPLEX_TRY(auto owner, sandbox::IdentityOwning(o.spec.workdir));
    o.spec.identity.host_uid = owner.host_uid;
    o.spec.identity.host_gid = owner.host_gid;
  }
  return {};
}

// One line on stderr for anything but a normal exit.
void ReportOutcome(const sandbox::Outcome& outcome, const std::string& command) {
  using sandbox::OutcomeKind;
  if (outcome.kind == OutcomeKind::kExited) return;
  if (outcome.kind == OutcomeKind::kSetupFailed && outcome.ShellExitCode() == 127) {
    std::fprintf(stderr, "hotplexd: command not found in sandbox: %s\n", command.c_str());
  } else if (outcome.kind == OutcomeKind::kSetupFailed && outcome.step == "execve") {
    std::fprintf(stderr, "hotplexd: cannot execute %s in sandbox: %s\n", command.c_str(),
                 std::strerror(outcome.sys_errno));
  } else {
    std::fprintf(stderr, "hotplexd: sandbox %s\n", outcome.Describe().c_str());
  }
}

}  // namespace

int RunMain(int argc, char** argv) {
  auto parsed = ParseRunOptions(argc, argv, HostEnvironment());
  if (!parsed) {
    std::fprintf(stderr, "hotplexd run: %s\n", parsed.error().Describe().c_str());
    return kUsageExit;
  }
  RunOptions& o = *parsed;
  if (o.help) {
    std::fputs(kRunUsage, stdout);
    return 0;
  }
  if (auto ok = ResolveDefaults(o); !ok) {
    std::fprintf(stderr, "hotplexd run: %s\n", ok.error().Describe().c_str());
    return kUsageExit;
  }
  auto backend = sandbox::MakeNamespaceBackend({o.cgroup_root, o.cgroup_version});
  if (!backend) {
    std::fprintf(stderr, "hotplexd run: %s\n", backend.error().Describe().c_str());
    return 1;
  }
  auto outcome = sandbox::RunInForeground(**backend, o.spec);
  if (!outcome) {
    std::fprintf(stderr, "hotplexd run: %s\n", outcome.error().Describe().c_str());
    return kUsageExit;
  }
  ReportOutcome(*outcome, o.spec.argv[0]);
  return outcome->ShellExitCode();
}

}  // namespace hotplex::cli
