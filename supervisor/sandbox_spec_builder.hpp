// The sandbox side of launching one session's agent: the SandboxSpec (argv,
// environment, home and workdir re-resolved beneath their trusted roots,
// mounts, limits, identity) and, in network mode egress, the gateway attached
// to it. Plain inputs in, a spec out: no session state, no locks.
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"
#include "supervisor/egress/egress_gateway.hpp"
#include "supervisor/session_policy.hpp"

namespace hotplex::supervisor {

// For a policy with network mode egress: a gateway for `spec`'s sandbox, set as
// its network_ready hook (the launch installs its listeners before the payload
// starts). nullptr (and `spec` untouched) for other modes.
Result<std::shared_ptr<EgressGateway>> AttachEgressGateway(
    boost::asio::io_context& io, const SessionPolicy& policy, sandbox::SandboxSpec& spec,
    std::function<void(const EgressDecision&)> on_decision);

}  // namespace hotplex::supervisor
