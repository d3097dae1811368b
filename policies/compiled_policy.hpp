// CompiledPolicy: one validated policy, compiled once (RE2 sets of the command
// firewall, the tool governor) and never changed afterwards.
// Shared as std::shared_ptr<const CompiledPolicy>; a reload swaps the pointer.
// Thread-safety: immutable; every method is safe from any thread.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "policies/decision.hpp"
#include "policies/firewall.hpp"
#include "policies/policy_spec.hpp"
#include "policies/tool_governor.hpp"

namespace hotplex::policies {

class CompiledPolicy {
 public:
  // `spec` must have passed validation (the loader does that).
  static Result<std::shared_ptr<const CompiledPolicy>> Compile(PolicySpec spec);

  const PolicySpec& Spec() const { return spec_; }
  const std::string& Name() const { return spec_.name; }

  // Tool lists, file-path confinement to `workdir`, the firewall for Bash.
  Decision DecideTool(std::string_view tool_name, const nlohmann::json& input,
                      const std::string& workdir) const;
  // The command firewall alone (also for user prompts when commands.check_prompts).
  Decision CheckCommand(std::string_view command) const;
  std::size_t FirewallRuleCount() const { return firewall_->RuleCount(); }

 private:
  CompiledPolicy(PolicySpec spec, std::unique_ptr<CommandFirewall> firewall);

  PolicySpec spec_;
  std::unique_ptr<CommandFirewall> firewall_;
  ToolGovernor tools_;
};

}  // namespace hotplex::policies
