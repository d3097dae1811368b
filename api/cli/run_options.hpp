// RunOptions: the command line of `hotplexd run`, parsed into a SandboxSpec.
// Pure parsing (no system calls), so every flag and error is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::cli {

struct RunOptions {
  sandbox::SandboxSpec spec;
  std::optional<std::string> workdir;  // --workdir; default: the current directory
  std::optional<uid_t> host_uid;       // --uid; default: the WorkDir's owner
  std::optional<gid_t> host_gid;       // --gid; default: the WorkDir's group
  std::string policy_file;             // --policy
  std::vector<std::string> env_flags;  // --env entries as K=V, in order (they override a policy)
  std::string cgroup_root;             // --cgroup-root
  int cgroup_version = 0;              // --cgroup-version
  bool help = false;
  // Flags given explicitly, so that they override a policy's values.
  bool memory_set = false, pids_set = false, cpu_set = false, wall_time_set = false,
       net_set = false;
};

// Parses argv after "run". Environment starts from a fixed minimal set (PATH,
// HOME, USER, LOGNAME, LANG); `--env K=V` sets, `--env K` copies K from `host_env`.
Result<RunOptions> ParseRunOptions(int argc, char** argv, const std::vector<std::string>& host_env);

extern const char* const kRunUsage;

}  // namespace hotplex::cli
