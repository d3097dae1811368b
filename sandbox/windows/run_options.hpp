// WinRunOptions: the command line of hotplexd-run.exe (the Windows `hotplexd
// run`), parsed into a SandboxSpec. Pure parsing, unit-tested under Wine.
// Same flags as on Linux where they make sense: --workdir, --memory, --pids
// (active processes in the job), --cpu, --wall-time, --env. There is no --net,
// --mount, --uid/--gid or --policy: a job object cannot provide them.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox::win32 {

struct WinRunOptions {
  SandboxSpec spec;
  bool help = false;
  bool unrestricted_token = false;  // --unsafe-unrestricted-token
};

// `args` are the arguments after the program name. The environment starts from
// SystemRoot, windir and PATH=<SystemRoot>\system32;<SystemRoot> (SystemRoot
// taken from `host_env`, else C:\windows); `--env K=V` sets, `--env K` copies K
// from `host_env`. Nothing else of the host environment is passed.
Result<WinRunOptions> ParseWinRunOptions(const std::vector<std::string>& args,
                                         const std::vector<std::string>& host_env);

extern const char* const kWinRunUsage;

}  // namespace hotplex::sandbox::win32
