// The environment a sandbox gets from its policy: fixed values (`env.set`),
// host variables whose names match `env.pass` globs, then HOME and a default
// PATH unless the policy sets them; with network mode egress, the proxy
// variables (HTTP(S)_PROXY, NO_PROXY). Nothing else of the host passes.
#pragma once

#include <string>
#include <vector>

#include "supervisor/session_policy.hpp"

namespace hotplex::supervisor {

inline constexpr const char* kDefaultSandboxPath = "PATH=/usr/local/bin:/usr/bin:/bin";

std::vector<std::string> BuildSandboxEnv(const SessionPolicy& policy,
                                         const std::vector<std::string>& host_env,
                                         const std::string& home);

}  // namespace hotplex::supervisor
