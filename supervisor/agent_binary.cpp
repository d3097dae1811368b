#include "supervisor/agent_binary.hpp"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "sandbox/mount_plan.hpp"

namespace hotplex::supervisor {
namespace {

// What mount_plan.cpp binds into every namespace sandbox.
constexpr const char* kSystemDirs[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                       "/lib32", "/lib64", "/libx32"};
constexpr std::size_t kMaxPathEntries = 256;  // a $PATH longer than this is not searched further

bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) ? std::string(resolved) : std::string();
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string FindOnPath(const std::string& name, const std::string& path_env) {
  if (name.find('/') != std::string::npos) {
    if (!IsExecutableFile(name)) return {};
    return name[0] == '/' ? name : RealPath(name);
  }
  std::istringstream entries(path_env);
  std::string dir;
  for (std::size_t i = 0; i < kMaxPathEntries && std::getline(entries, dir, ':'); ++i) {
    if (dir.empty() || dir[0] != '/') continue;  // a relative entry depends on the cwd
    const std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
  }
  return {};
}

bool IsSystemPath(const std::string& real_path) {
  for (const char* dir : kSystemDirs) {
    const std::string real_dir = RealPath(dir);  // /bin may be a link to /usr/bin
    if (IsUnder(real_path, dir) || IsUnder(real_path, real_dir)) return true;
  }
  return false;
}

// "#!/usr/bin/env node" -> the host's node; "#!/bin/sh" -> /bin/sh; ELF -> "".
std::string InterpreterOf(const std::string& script, const std::string& path_env) {
  std::ifstream in(script, std::ios::binary);
  char head[256] = {};
  in.read(head, sizeof head - 1);
  std::string line(head, static_cast<std::size_t>(in.gcount()));
  if (!line.starts_with("#!")) return {};
  line = line.substr(
      2, line.find('\n') == std::string::npos ? std::string::npos : line.find('\n') - 2);
  std::istringstream words(line);
  std::string program, arg;
  words >> program >> arg;
  if (program.ends_with("/env") && !arg.empty() && arg[0] != '-')
    program = FindOnPath(arg, path_env);
  return program.empty() ? std::string() : RealPath(program);
}

// The install dir must not expose tenant data or the daemon's own state.
std::string RefusalOf(const std::string& dir, const AgentBinaryOptions& options) {
  std::vector<std::string> guarded = options.workspace_roots;
  if (!options.state_dir.empty()) {
    const std::string state = RealPath(options.state_dir);
    guarded.push_back(state.empty() ? options.state_dir : state);
  }
  for (const auto& g : guarded) {
    const std::string real = RealPath(g).empty() ? g : RealPath(g);
    if (IsUnder(dir, real) || IsUnder(real, dir)) {
      return "install dir " + dir + " is or contains " + real +
             " (tenant workspaces / the state dir); not mounted";
    }
  }
  if (auto valid = sandbox::ValidateHostPath(dir, "install dir", true); !valid) {
    return valid.error().Describe() + "; not mounted";
  }
  if (auto valid = sandbox::ValidateSandboxPath(dir, "install dir"); !valid) {
    return valid.error().Describe() + "; not mounted";
  }
  return {};
}

void ChooseMount(AgentBinary& b, const AgentBinaryOptions& options) {
  if (b.system) return;  // every namespace sandbox binds the system dirs already
  const std::string dir = InstallDirOf(b.real_path);
  if (!options.mount_install_dir) {
    b.not_mounted = "claude_code.mount_install_dir is false; " + dir + " is not mounted";
    return;
  }
  b.not_mounted = RefusalOf(dir, options);
  if (b.not_mounted.empty()) b.install_dir = dir;
}

}  // namespace

std::string InstallDirOf(const std::string& real_path) {
  const auto at = real_path.find("/node_modules/");
  if (at != std::string::npos && at > 0) return real_path.substr(0, at);
  const auto slash = real_path.rfind('/');
  return slash == 0 || slash == std::string::npos ? std::string("/") : real_path.substr(0, slash);
}

AgentBinary ResolveAgentBinary(const std::string& configured, const AgentBinaryOptions& options) {
  AgentBinary b;
  b.configured = configured;
  b.host_path = FindOnPath(configured, options.path_env);
  if (b.host_path.empty()) {
    b.problem = "the agent command '" + configured +
                "' was not found on the host (not an executable on the daemon's PATH at start); "
                "install it (scripts/install-claude prints its path) and set "
                "claude_code.command to that absolute path";
    return b;
  }
  b.real_path = RealPath(b.host_path);
  b.system = IsSystemPath(b.real_path);
  b.interpreter = InterpreterOf(b.real_path, options.path_env);
  ChooseMount(b, options);
  return b;
}

AgentBinary ResolveClaudeBinary(const DaemonConfig& config) {
  AgentBinaryOptions options;
  const char* path = std::getenv("PATH");
  options.path_env = path ? path : "/usr/local/bin:/usr/bin:/bin";
  options.mount_install_dir = config.claude_mount_install_dir;
  options.state_dir = config.state_dir;
  for (const auto& tenant : config.tenants) {
    if (!tenant.workspace_root.empty()) options.workspace_roots.push_back(tenant.workspace_root);
  }
  const std::string command = config.claude_command.empty() ? "claude" : config.claude_command[0];
  return ResolveAgentBinary(command, options);
}

std::vector<sandbox::BindMount> AgentMounts(const AgentBinary& binary) {
  if (binary.install_dir.empty()) return {};
  return {sandbox::BindMount{binary.install_dir, {}, sandbox::MountMode::kReadOnly}};
}

void AddAgentMounts(const AgentBinary& binary, std::vector<sandbox::BindMount>& mounts) {
  for (auto& m : AgentMounts(binary)) {
    bool present = false;
    for (const auto& have : mounts) present = present || have.source == m.source;
    if (!present) mounts.push_back(std::move(m));
  }
}

std::string DescribeAgentBinary(const AgentBinary& b) {
  if (!b.problem.empty()) return b.problem;
  std::string out = b.configured + " -> " + b.real_path;
  if (b.system) {
    out += " (under a system dir the sandbox binds already)";
  } else if (!b.install_dir.empty()) {
    out += "; install dir " + b.install_dir + " is mounted read-only into namespace sandboxes";
  } else {
    out += "; " + b.not_mounted + " (add it to sandbox.extra_mounts)";
  }
  if (!b.interpreter.empty()) {
    const bool visible = IsSystemPath(b.interpreter) || IsUnder(b.interpreter, b.install_dir);
    out += "; interpreter " + b.interpreter +
           (visible ? "" : " is NOT visible in the sandbox (add its dir to sandbox.extra_mounts)");
  }
  return out;
}

std::string ExplainAgentLaunchFailure(const AgentBinary& b, const std::string& error) {
  if (!b.problem.empty()) return b.problem + " (" + error + ")";
  if (error.find("No such file") == std::string::npos) return error;
  std::string what = "'" + b.real_path + "'";
  if (!b.interpreter.empty()) what += " (or its interpreter " + b.interpreter + ")";
  const std::string dir = b.system ? std::string() : InstallDirOf(b.real_path);
  return error + ": " + what + " exists on the host but is not visible inside the sandbox" +
         (b.not_mounted.empty() ? std::string() : " (" + b.not_mounted + ")") +
         "; set claude_code.mount_install_dir: true or list " +
         (dir.empty() ? std::string("its directory") : dir) +
         " in sandbox.extra_mounts, or point claude_code.command at a binary under /usr";
}

}  // namespace hotplex::supervisor
