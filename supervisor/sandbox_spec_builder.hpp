// The sandbox side of launching one session's agent: which provider drives it,
// the SandboxSpec (argv, environment, home and workdir re-resolved beneath
// their trusted roots, mounts, limits, identity) and, in network mode egress,
// the gateway attached to it. Plain inputs in, values out: no session state,
// no locks. Thread-safety: free functions; safe from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "sandbox/backend.hpp"
#include "sandbox/sandbox_spec.hpp"
#include "supervisor/agent_binary.hpp"
#include "supervisor/egress/egress_gateway.hpp"
#include "supervisor/provider.hpp"
#include "supervisor/session_policy.hpp"
#include "supervisor/session_record.hpp"

namespace hotplex::supervisor {

// The Claude CLI the daemon resolved on the host when this session runs it:
// claude-code outside docker (docker images carry their own CLI); else null.
const AgentBinary* HostAgentBinary(ProviderKind provider, sandbox::BackendKind backend,
                                   const std::shared_ptr<const AgentBinary>& resolved);

// The provider the record asks for (exec with its argv, or claude-code with
// the policy's settings and `claude_command`, its binary replaced by
// `host_agent`'s real path when there is one), talking to `host`.
std::unique_ptr<Provider> MakeProvider(ProviderHost& host, const SessionRecord& record,
                                       const SessionPolicy& policy,
                                       const std::vector<std::string>& claude_command,
                                       const AgentBinary* host_agent);

struct SpecInputs {
  const SessionRecord& record;  // id, tenant, workdir, home
  const SessionPolicy& policy;
  sandbox::BackendKind backend;
  sandbox::Identity identity;     // the tenant's host uid/gid
  std::vector<std::string> argv;  // the provider's
  const std::vector<sandbox::BindMount>& extra_mounts;
  const AgentBinary* host_agent;  // HostAgentBinary(); null: none to mount
  // Trusted roots the workdir and home are pinned beneath (empty: trusted as is).
  const std::string& workspace_root;
  const std::string& homes_root;
};

// The spec for one launch; an error (sandbox::IsHostPathRefusal) when the
// workdir or home no longer resolves beneath its root without a link.
Result<sandbox::SandboxSpec> BuildSandboxSpec(const SpecInputs& in);

// For a policy with network mode egress: a gateway for `spec`'s sandbox, set as
// its network_ready hook (the launch installs its listeners before the payload
// starts). nullptr (and `spec` untouched) for other modes.
Result<std::shared_ptr<EgressGateway>> AttachEgressGateway(
    boost::asio::io_context& io, const SessionPolicy& policy, sandbox::SandboxSpec& spec,
    std::function<void(const EgressDecision&)> on_decision);

}  // namespace hotplex::supervisor
