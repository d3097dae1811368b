// Doctor checks: what `hotplexd doctor` verifies on the local machine before
// (or while) the daemon runs. Each check probes the real thing where it can
// (a child process really enters a user namespace, really runs under the
// seccomp filter; the docker socket is really asked for its API version; the
// configured claude command is really run with --version; the ports are
// really bound) and says what it found and, unless it passed, how to fix it.
//
// Statuses: kPass (works), kWarn (works with a limitation, or an optional part
// is missing), kFail (a session of the default setup cannot work). Printing
// (table or JSON) happens in api/cli/cli_doctor.cpp.
// Thread-safety: the checks fork short-lived children; call them from a
// single-threaded program (the doctor CLI), not from inside the daemon.
#pragma once

#include <string>
#include <vector>

#include "supervisor/daemon_config.hpp"

namespace hotplex::supervisor {

enum class CheckStatus { kPass, kWarn, kFail };

const char* CheckStatusName(CheckStatus status);  // "pass", "warn", "fail"

struct CheckResult {
  std::string name;  // stable identifier, e.g. "user_namespaces", "port_admin"
  CheckStatus status = CheckStatus::kPass;
  std::string detail;  // what was found
  std::string fix;     // what to do; empty when the check passed
};

// Kernel feature checks (doctor_kernel_checks.cpp).
CheckResult CheckKernelVersion();
CheckResult CheckUserNamespaces();
CheckResult CheckCgroups();
CheckResult CheckSeccomp();

// Checks of the daemon's surroundings (doctor_host_checks.cpp).
CheckResult CheckDockerSocket();
// claude_code.command resolved as the daemon will (supervisor/agent_binary.hpp),
// run with --version; reports the resolved path and whether its install dir is mounted.
CheckResult CheckClaudeCli(const DaemonConfig& config);
// The state dir against the rules the daemon starts with (supervisor/state_dir.hpp).
CheckResult CheckStateDir(const std::string& state_dir);
// `name` is the check's identifier ("port_api", "port_admin").
CheckResult CheckPortFree(const std::string& name, const ListenAddress& address);

// Every check, in the order a person reads them.
std::vector<CheckResult> RunDoctorChecks(const DaemonConfig& config);

// "5.15.0-91-generic" -> {5, 15}; {0, 0} when it does not parse.
std::pair<int, int> ParseKernelRelease(const std::string& release);

}  // namespace hotplex::supervisor
