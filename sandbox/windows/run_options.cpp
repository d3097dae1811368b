#include "sandbox/windows/run_options.hpp"

#include <windows.h>

#include <charconv>

#include "common/argv.hpp"
#include "common/units.hpp"
#include "sandbox/windows/win32_command_line.hpp"

namespace hotplex::sandbox::win32 {

const char* const kWinRunUsage =
    "usage: hotplexd-run [options] -- COMMAND [ARG...]\n"
    "Runs COMMAND in a Windows job object with a restricted, low-integrity token.\n"
    "The exit status is COMMAND's; 137 when it was killed (memory limit), 124 on\n"
    "wall-time, 127 when COMMAND was not found.\n"
    "  --workdir DIR          current directory of COMMAND (default: this one)\n"
    "  --memory SIZE          job memory limit, e.g. 512M (default 1G; 0 = none)\n"
    "  --pids N               active-process limit of the job (default 256; 0 = none)\n"
    "  --cpu CORES            hard CPU rate cap in cores, e.g. 1.5 (default: none)\n"
    "  --wall-time DURATION   kill after this long, e.g. 30s (default: none)\n"
    "  --env K=V | --env K    set a variable, or pass K from this environment (repeatable)\n"
    "  --unsafe-unrestricted-token  run COMMAND with this process's own token\n";

namespace {

Error Usage(const std::string& message) {
  return MakeError(message + " (see 'hotplexd-run --help')");
}

std::string NameOf(const std::string& entry) { return entry.substr(0, entry.find('=', 1)); }

// Windows variable names are case-insensitive.
bool SameName(const std::string& a, const std::string& b) {
  return CompareStringOrdinal(Widen(a).c_str(), -1, Widen(b).c_str(), -1, TRUE) == CSTR_EQUAL;
}

void SetEnv(std::vector<std::string>& env, const std::string& entry) {
  for (auto& e : env) {
    if (SameName(NameOf(e), NameOf(entry))) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

Status ApplyEnv(WinRunOptions& o, const std::string& value,
                const std::vector<std::string>& host_env) {
  if (value.empty() || value[0] == '=')
    return MakeError("invalid --env '" + value + "': expected K=V or K");
  if (value.find('=') != std::string::npos) {
    SetEnv(o.spec.env, value);
    return {};
  }
  for (const auto& e : host_env) {
    if (SameName(NameOf(e), value)) {
      SetEnv(o.spec.env, value + e.substr(NameOf(e).size()));
      return {};
    }
  }
  return MakeError("--env " + value + ": no such variable in this environment");
}

Status ApplyFlag(WinRunOptions& o, const std::string& flag, const std::string& value,
                 const std::vector<std::string>& host_env) {
  Limits& limits = o.spec.limits;
  if (flag == "--workdir") {
    o.spec.workdir = value;
  } else if (flag == "--memory") {
    HOTPLEX_TRY(limits.memory_bytes, ParseByteSize(value));
  } else if (flag == "--pids") {
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limits.pids);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return MakeError("invalid --pids '" + value + "': expected a number");
    }
  } else if (flag == "--cpu") {
    HOTPLEX_TRY(limits.cpu_cores, ParseCpuCores(value));
  } else if (flag == "--wall-time") {
    HOTPLEX_TRY(limits.wall_time, ParseDuration(value));
  } else if (flag == "--env") {
    return ApplyEnv(o, value, host_env);
  }
  return {};
}

std::vector<std::string> BaseEnvironment(const std::vector<std::string>& host_env) {
  std::string root = LookupEnv(host_env, "SystemRoot");
  if (root.empty()) root = "C:\\windows";
  return {"SystemRoot=" + root, "windir=" + root, "PATH=" + root + "\\system32;" + root};
}

}  // namespace

Result<WinRunOptions> ParseWinRunOptions(const std::vector<std::string>& args,
                                         const std::vector<std::string>& host_env) {
  WinRunOptions o;
  o.spec.env = BaseEnvironment(host_env);
  ArgvParser parser;
  parser.Switch({"--help", "-h"}, o.help)
      .Switch({"--unsafe-unrestricted-token"}, o.unrestricted_token)
      .StopAtPositional();  // COMMAND's flags are its own
  for (const std::string_view flag :
       {"--workdir", "--memory", "--pids", "--cpu", "--wall-time", "--env"}) {
    parser.Value({flag}, [&o, &host_env, flag](const std::string& value) {
      return ApplyFlag(o, std::string(flag), value, host_env);
    });
  }
  auto command = parser.Parse(args);
  if (!command) return Usage(command.error().message);
  if (o.help) return o;
  o.spec.argv = std::move(*command);
  if (o.spec.argv.empty()) return Usage("no command given");
  o.spec.id = "run";
  return o;
}

}  // namespace hotplex::sandbox::win32
