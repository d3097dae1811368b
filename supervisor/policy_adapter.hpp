// The bridge from the policy engine to the supervisor: turns a
// policies::CompiledPolicy into a SessionPolicy (plain settings + a
// ToolGovernor that calls CompiledPolicy::DecideTool), and serves a
// PolicyStore's policies as a PolicySource. The one file of supervisor/ that
// knows the policy engine's types.
// Thread-safety: PolicyStoreSource is thread-safe (PolicyStore is).
#pragma once

#include <memory>

#include "policies/compiled_policy.hpp"
#include "policies/policy_store.hpp"
#include "supervisor/session_policy.hpp"

namespace hotplex::supervisor {

SessionPolicyPtr ToSessionPolicy(std::shared_ptr<const policies::CompiledPolicy> compiled);

class PolicyStoreSource final : public PolicySource {
 public:
  explicit PolicyStoreSource(const policies::PolicyStore& store) : store_(store) {}
  // Converted on each call, so a hot reload applies to the next session.
  SessionPolicyPtr Get(std::string_view team) const override;

 private:
  const policies::PolicyStore& store_;
};

}  // namespace hotplex::supervisor
