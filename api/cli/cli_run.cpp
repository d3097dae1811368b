// hotplexd run: the standalone sandbox front end, like bwrap or nsjail.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <filesystem>

#include "api/cli/cli.hpp"
#include "api/cli/run_options.hpp"
#include "common/units.hpp"
#include "policies/policy_loader.hpp"
#include "sandbox/foreground.hpp"
#include "supervisor/policy_adapter.hpp"
#include "supervisor/sandbox_env.hpp"

extern char** environ;

namespace hotplex::cli {
namespace {

constexpr int kUsageExit = 2;

std::vector<std::string> HostEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

// Takes the sandbox section of a policy file; flags given on the command line win.
Status ApplyPolicy(RunOptions& o, const std::vector<std::string>& host_env) {
  const std::string dir = std::filesystem::path(o.policy_file).parent_path().string();
  auto loaded = policies::LoadPolicyFile(o.policy_file, dir.empty() ? "." : dir);
  if (!loaded) {
    std::string all;
    for (const auto& d : loaded.error()) all += "\n  " + d.ToString();
    return MakeError("policy " + o.policy_file + " is invalid:" + all);
  }
  const auto policy = supervisor::ToSessionPolicy(*loaded);
  if (!policy->backend || *policy->backend != sandbox::BackendKind::kNamespace) {
    return MakeError("policy " + o.policy_file + " uses the '" + policy->backend_name +
                     "' backend; hotplexd run runs the namespace backend only");
  }
  auto& limits = o.spec.limits;
  if (!o.memory_set) limits.memory_bytes = policy->limits.memory_bytes;
  if (!o.pids_set) limits.pids = policy->limits.pids;
  if (!o.cpu_set) limits.cpu_cores = policy->limits.cpu_cores;
  if (!o.wall_time_set) limits.wall_time = policy->limits.wall_time;
  limits.open_files = policy->limits.open_files;
  if (!o.net_set) o.spec.network = policy->network;
  o.spec.mounts.insert(o.spec.mounts.begin(), policy->mounts.begin(), policy->mounts.end());
  o.spec.seccomp = policy->seccomp;
  o.spec.extra_denied_syscalls = policy->extra_denied_syscalls;
  // The policy's environment, then the command line's --env on top.
  std::vector<std::string> env = supervisor::BuildSandboxEnv(*policy, host_env, o.spec.home_inside);
  for (const auto& flag_env : o.env_flags) {
    const std::string key = flag_env.substr(0, flag_env.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(flag_env);
  }
  o.spec.env = std::move(env);
  return {};
}

// Fills in what the command line left to defaults.
Status ResolveDefaults(RunOptions& o, const std::vector<std::string>& host_env) {
  if (!o.policy_file.empty()) HOTPLEX_TRY_STATUS(ApplyPolicy(o, host_env));
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
  const std::vector<std::string> host_env = HostEnvironment();
  auto parsed = ParseRunOptions(argc, argv, host_env);
  if (!parsed) {
    std::fprintf(stderr, "hotplexd run: %s\n", parsed.error().Describe().c_str());
    return kUsageExit;
  }
  RunOptions& o = *parsed;
  if (o.help) {
    std::fputs(kRunUsage, stdout);
    return 0;
  }
  if (auto ok = ResolveDefaults(o, host_env); !ok) {
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
