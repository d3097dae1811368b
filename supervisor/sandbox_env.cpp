#include "supervisor/sandbox_env.hpp"

#include <fnmatch.h>

#include <string_view>

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
    if (name == "HOME" || policy.env_set.count(name) != 0 || !PassedByPolicy(policy, name)) continue;
    env.push_back(var);
    has_path = has_path || name == "PATH";
  }
  for (const auto& [name, value] : policy.env_set) {
    if (name == "HOME") continue;
    env.push_back(name + "=" + value);
    has_path = has_path || name == "PATH";
  }
  env.push_back("HOME=" + home);
  if (!has_path) env.emplace_back(kDefaultSandboxPath);
  return env;
}

}  // namespace hotplex::supervisor
