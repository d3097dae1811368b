#include "api/cli/run_options.hpp"

#include <charconv>
#include <string_view>

#include "common/argv.hpp"
#include "common/units.hpp"

namespace hotplex::cli {

const char* const kRunUsage =
    "usage: hotplexd run [options] -- COMMAND [ARG...]\n"
    "\n"
    "Runs COMMAND in a sandbox: new user, mount, pid, net, uts, ipc and cgroup\n"
    "namespaces, a read-only system, the WorkDir read-write, seccomp, no capabilities.\n"
    "\n"
    "options:\n"
    "  --workdir DIR          directory bind-mounted read-write (default: current directory)\n"
    "  --memory SIZE          memory limit, e.g. 512M (default 1G; 0 = none)\n"
    "  --pids N               process limit (default 256; 0 = none)\n"
    "  --cpu CORES            CPU quota in cores, e.g. 1.5 (default: none)\n"
    "  --wall-time DURATION   kill after this long, e.g. 30s (default: none)\n"
    "  --net none|host        network: own empty namespace (default) or the host's\n"
    "  --mount SRC[:DST[:ro|rw]]  extra bind mount, read-only unless :rw (repeatable)\n"
    "  --env K=V | --env K    set a variable, or pass K from this environment (repeatable)\n"
    "  --uid UID --gid GID    host ids the sandbox user maps to (default: WorkDir's owner)\n"
    "  --policy FILE          take the sandbox settings from a policy file\n"
    "  --cgroup-root DIR      parent cgroup directory (default: auto-detected)\n"
    "  --cgroup-version 1|2   force a cgroup version (default: v2 if usable, else v1)\n"
    "\n"
    "Exit status: the command's; 128+N for signal N; 137 when killed or out of memory;\n"
    "124 on the wall-time limit; 127 when the command is not found; 126 on setup failure.\n";

namespace {

Error Usage(const std::string& message) {
  return MakeError(message + " (see 'hotplexd run --help')");
}

template <class T>
Result<T> ParseNumber(std::string_view flag, std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return MakeError("invalid " + std::string(flag) + " '" + std::string(text) +
                     "': expected a whole number");
  }
  return value;
}

Result<sandbox::BindMount> ParseMount(std::string_view text) {
  sandbox::BindMount mount;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    parts.emplace_back(text.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3 || parts[0].empty()) {
    return MakeError("invalid --mount '" + std::string(text) + "': expected SRC[:DST[:ro|rw]]");
  }
  mount.source = parts[0];
  if (parts.size() >= 2) mount.target = parts[1];
  if (parts.size() == 3) {
    if (parts[2] == "rw")
      mount.mode = sandbox::MountMode::kReadWrite;
    else if (parts[2] != "ro")
      return MakeError("invalid --mount mode '" + parts[2] + "': expected ro or rw");
  }
  return mount;
}

void SetEnv(std::vector<std::string>& env, const std::string& entry) {
  const std::string key = entry.substr(0, entry.find('=') + 1);
  for (auto& e : env) {
    if (e.rfind(key, 0) == 0) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

Status ApplyEnvFlag(RunOptions& o, const std::string& value,
                    const std::vector<std::string>& host_env) {
  if (value.empty() || value[0] == '=')
    return MakeError("invalid --env '" + value + "': expected K=V or K");
  if (value.find('=') != std::string::npos) {
    SetEnv(o.spec.env, value);
    o.env_flags.push_back(value);
    return {};
  }
  for (const auto& e : host_env) {
    if (e.rfind(value + "=", 0) == 0) {
      SetEnv(o.spec.env, e);
      o.env_flags.push_back(e);
      return {};
    }
  }
  return MakeError("--env " + value + ": no such variable in this environment");
}

Status ApplyFlag(RunOptions& o, std::string_view flag, const std::string& value,
                 const std::vector<std::string>& host_env) {
  auto& limits = o.spec.limits;
  if (flag == "--workdir")
    o.workdir = value;
  else if (flag == "--memory") {
    HOTPLEX_TRY(limits.memory_bytes, ParseByteSize(value));
    o.memory_set = true;
  } else if (flag == "--pids") {
    HOTPLEX_TRY(limits.pids, ParseNumber<std::uint64_t>(flag, value));
    o.pids_set = true;
  } else if (flag == "--cpu") {
    HOTPLEX_TRY(limits.cpu_cores, ParseCpuCores(value));
    o.cpu_set = true;
  } else if (flag == "--wall-time") {
    HOTPLEX_TRY(limits.wall_time, ParseDuration(value));
    o.wall_time_set = true;
  } else if (flag == "--net") {
    if (value == "none")
      o.spec.network = sandbox::NetworkMode::kNone;
    else if (value == "host")
      o.spec.network = sandbox::NetworkMode::kHost;
    else
      return MakeError("invalid --net '" + value + "': expected none or host");
    o.net_set = true;
  } else if (flag == "--mount") {
    HOTPLEX_TRY(auto m, ParseMount(value));
    o.spec.mounts.push_back(m);
  } else if (flag == "--env")
    return ApplyEnvFlag(o, value, host_env);
  else if (flag == "--uid") {
    HOTPLEX_TRY(o.host_uid, ParseNumber<uid_t>(flag, value));
  } else if (flag == "--gid") {
    HOTPLEX_TRY(o.host_gid, ParseNumber<gid_t>(flag, value));
  } else if (flag == "--policy")
    o.policy_file = value;
  else if (flag == "--cgroup-root")
    o.cgroup_root = value;
  else if (flag == "--cgroup-version") {
    HOTPLEX_TRY(o.cgroup_version, ParseNumber<int>(flag, value));
    if (o.cgroup_version != 1 && o.cgroup_version != 2)
      return MakeError("--cgroup-version must be 1 or 2");
  }
  return {};
}

constexpr std::string_view kValueFlags[] = {
    "--workdir", "--memory", "--pids", "--cpu",    "--wall-time",   "--net",           "--mount",
    "--env",     "--uid",    "--gid",  "--policy", "--cgroup-root", "--cgroup-version"};

}  // namespace

Result<RunOptions> ParseRunOptions(int argc, char** argv,
                                   const std::vector<std::string>& host_env) {
  RunOptions o;
  o.spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + o.spec.home_inside,
                "USER=" + o.spec.identity.user_name, "LOGNAME=" + o.spec.identity.user_name,
                "LANG=C.UTF-8"};
  ArgvParser parser;
  parser.Switch({"--help", "-h"}, o.help).StopAtPositional();  // COMMAND's flags are its own
  for (const std::string_view flag : kValueFlags) {
    parser.Value({flag}, [&o, &host_env, flag](const std::string& value) {
      return ApplyFlag(o, flag, value, host_env);
    });
  }
  auto command = parser.Parse(ArgsOf(argc, argv));
  if (!command) return Usage(command.error().message);
  if (o.help) return o;
  o.spec.argv = std::move(*command);
  if (o.spec.argv.empty()) return Usage("no command given");
  if (o.host_uid.has_value() != o.host_gid.has_value()) return Usage("--uid and --gid go together");
  return o;
}

}  // namespace hotplex::cli
