#include "policies/compiled_policy.hpp"

#include <seccomp.h>

#include <nlohmann/json.hpp>

namespace hotplex::policies {

CompiledPolicy::CompiledPolicy(PolicySpec spec, std::unique_ptr<CommandFirewall> firewall,
                               std::vector<int> syscalls)
    : spec_(std::move(spec)),
      firewall_(std::move(firewall)),
      tools_(spec_.tools, spec_.sandbox.network),
      denied_syscalls_(std::move(syscalls)) {}

Result<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::Compile(PolicySpec spec) {
  HOTPLEX_TRY(auto firewall, CommandFirewall::Build(spec.commands));
  std::vector<int> syscalls;
  for (const auto& name : spec.sandbox.extra_denied_syscalls) {
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) return MakeError("unknown system call '" + name + "'");
    syscalls.push_back(nr);
  }
  return std::shared_ptr<const CompiledPolicy>(
      new CompiledPolicy(std::move(spec), std::move(firewall), std::move(syscalls)));
}

Decision CompiledPolicy::DecideTool(std::string_view tool_name, const nlohmann::json& input,
                                    const std::string& workdir) const {
  return tools_.Decide(tool_name, input, workdir, *firewall_);
}

Decision CompiledPolicy::CheckCommand(std::string_view command) const {
  return firewall_->Check(command);
}

}  // namespace hotplex::policies
