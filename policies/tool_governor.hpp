// ToolGovernor: decides whether an agent may call a tool with given input.
//   1. the tool name against `tools.deny`, `tools.ask`, `tools.allow` (globs,
//      deny wins, then ask, then allow; otherwise `tools.default`);
//   2. the input: file tools' paths are resolved and confined to the WorkDir
//      (plus read_paths/write_paths) and checked against `tools.files.deny`;
//      Bash's `command` goes through the command firewall; WebFetch's URL
//      against the network mode and domain lists.
// The stricter of the two answers wins. Thread-safety: immutable; Decide() is
// safe from any thread.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "policies/decision.hpp"
#include "policies/firewall.hpp"
#include "policies/policy_spec.hpp"

namespace hotplex::policies {

class ToolGovernor {
 public:
  ToolGovernor(ToolsSection tools, NetworkSpec network)
      : tools_(std::move(tools)), network_(std::move(network)) {}

  Decision Decide(std::string_view tool, const nlohmann::json& input, const std::string& workdir,
                  const CommandFirewall& firewall) const;

 private:
  Decision DecideName(std::string_view tool) const;
  Decision DecideInput(std::string_view tool, const nlohmann::json& input,
                       const std::string& workdir, const CommandFirewall& firewall) const;
  Decision CheckPath(std::string_view tool, const std::string& path, bool write,
                     const std::string& workdir) const;
  Decision CheckUrl(const std::string& url) const;

  ToolsSection tools_;
  NetworkSpec network_;
};

// fnmatch-style glob with `**/` matching any number of leading directories.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace hotplex::policies
