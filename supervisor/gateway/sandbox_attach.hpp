// AttachToSandbox: wires a session's gateway endpoint into its sandbox spec,
// before launch. Sets ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY (the session
// token) in the environment, overriding whatever the policy set or passed;
// drops ANTHROPIC_AUTH_TOKEN and every variable whose value holds the real
// credential (an env.pass glob such as `*` would otherwise copy the daemon's
// ANTHROPIC_API_KEY in); chains the endpoint's Install() after any existing
// network_ready hook (the egress gateway's). A spec on the host network has no
// namespace of its own to listen in: refused.
// Thread-safety: plain function on the caller's spec.
#pragma once

#include <memory>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"
#include "supervisor/gateway/model_gateway.hpp"

namespace hotplex::gateway {

Status AttachToSandbox(const std::shared_ptr<SessionEndpoint>& endpoint,
                       sandbox::SandboxSpec& spec);

}  // namespace hotplex::gateway
