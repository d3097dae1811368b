#pragma once
// The agent CLI a provider runs (claude_code.command), resolved on the HOST at
// daemon start: a namespace sandbox sees only the system dirs (/usr, /bin,
// /lib...) and what is mounted, so an npm install under /var/cache or /opt is
// invisible inside unless its install dir is bound in. This resolves the
// command (PATH lookup, then every symlink), picks the directory to bind
// read-only (the npm prefix that holds node_modules, else the binary's own
// dir), refuses one that is or contains tenant data or the state dir, and
// words a launch failure so it names the path, the side it is missing on and
// the config key that fixes it. Docker images carry their own CLI.

#include <string>
#include <vector>

#include "sandbox/sandbox_spec.hpp"
#include "supervisor/daemon_config.hpp"

namespace hotplex::supervisor {

struct AgentBinaryOptions {
  std::string path_env;                      // the daemon's $PATH
  bool mount_install_dir = true;             // claude_code.mount_install_dir
  std::string state_dir;                     // its workspaces/ and homes/ are never mounted
  std::vector<std::string> workspace_roots;  // tenants' roots, never mounted
};

struct AgentBinary {
  std::string configured;   // claude_code.command[0] as written
  std::string host_path;    // absolute path found on the host ("" = not found)
  std::string real_path;    // host_path with every symlink resolved
  std::string interpreter;  // a script's "#!" interpreter, resolved ("" = none / ELF)
  bool system = false;      // under a system dir every namespace sandbox binds
  std::string install_dir;  // bound read-only into namespace sandboxes ("" = none)
  std::string not_mounted;  // why the install dir is not bound ("" = it is, or not needed)
  std::string problem;      // host-side failure: names path, side and key ("" = found)
};

AgentBinary ResolveAgentBinary(const std::string& configured, const AgentBinaryOptions& options);
// claude_code.command[0] of the config, on this process's $PATH (daemon start, doctor).
AgentBinary ResolveClaudeBinary(const DaemonConfig& config);

// The directory to bind for a resolved binary: the npm prefix (parent of the
// outermost node_modules on the path), else the binary's directory.
std::string InstallDirOf(const std::string& real_path);

// The read-only mount for namespace sandboxes; empty when none is needed.
std::vector<sandbox::BindMount> AgentMounts(const AgentBinary& binary);
// Appends AgentMounts() unless `mounts` binds that source already (extra_mounts).
void AddAgentMounts(const AgentBinary& binary, std::vector<sandbox::BindMount>& mounts);

// One line for `hotplexd doctor`: resolved path and whether it will be mounted.
std::string DescribeAgentBinary(const AgentBinary& binary);

// A launch failure of this binary, reworded: which path, host or sandbox side,
// and the key that fixes it. `error` is the backend's message.
std::string ExplainAgentLaunchFailure(const AgentBinary& binary, const std::string& error);

}  // namespace hotplex::supervisor
