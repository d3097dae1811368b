#include "policies/compiled_policy.hpp"

#include <nlohmann/json.hpp>

namespace hotplex::policies {

CompiledPolicy::CompiledPolicy(PolicySpec spec, std::unique_ptr<CommandFirewall> firewall)
    : spec_(std::move(spec)),
      firewall_(std::move(firewall)),
      tools_(spec_.tools, spec_.sandbox.network) {}

Result<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::Compile(PolicySpec spec) {
  HOTPLEX_TRY(auto firewall, CommandFirewall::Build(spec.commands));
  // sandbox.extra_denied_syscalls were checked by the decoder; the sandbox resolves them.
  return std::shared_ptr<const CompiledPolicy>(
      new CompiledPolicy(std::move(spec), std::move(firewall)));
}

Decision CompiledPolicy::DecideTool(std::string_view tool_name, const nlohmann::json& input,
                                    const std::string& workdir) const {
  return tools_.Decide(tool_name, input, workdir, *firewall_);
}

Decision CompiledPolicy::CheckCommand(std::string_view command) const {
  return firewall_->Check(command);
}

}  // namespace hotplex::policies
