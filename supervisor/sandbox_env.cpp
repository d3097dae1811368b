#include "supervisor/sandbox_env.hpp"

#include <fnmatch.h>

#include <string_view>

#include "policies/policy_spec.hpp"
#include "supervisor/egress/egress_config.hpp"

namespace hotplex::supervisor {
namespace {

bool PassedByPolicy(const SessionPolicy& policy, const std::string& name) {
  for (const auto& pattern : policy.env_pass) {
    if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> BuildSandboxEnv(const SessionPolicy& policy,
                                         const std::vector<std::string>& host_env,
                                         const std::string& home) {
  std::vector<std::string> env;
  bool has_path = false;
  for (const auto& var : host_env) {
    const std::string name = var.substr(0, var.find('='));
    if (name == "HOME" || policy.env_set.count(name) != 0 || !PassedByPolicy(policy, name))
      continue;
    env.push_back(var);
    has_path = has_path || name == "PATH";
  }
  for (const auto& [name, value] : policy.env_set) {
    if (name == "HOME") continue;
    env.push_back(name + "=" + value);
    has_path = has_path || name == "PATH";
  }
  if (policy.egress) {
    // The proxy's variables win over the policy's: egress has no other way out.
    for (auto& var : EgressProxyEnv(policies::kEgressProxyPort)) {
      const std::string name = var.substr(0, var.find('='));
      std::erase_if(env, [&](const std::string& v) { return v.substr(0, v.find('=')) == name; });
      env.push_back(std::move(var));
    }
  }
  env.push_back("HOME=" + home);
  if (!has_path) env.emplace_back(kDefaultSandboxPath);
  return env;
}

}  // namespace hotplex::supervisor
