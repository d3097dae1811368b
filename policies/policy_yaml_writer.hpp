// Writes a PolicySpec back as YAML: every field with its effective value, in
// the same layout as the policy files, so `hotplexd policy show` prints what
// is in force after `extends`. The output loads back to the same spec.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "policies/policy_spec.hpp"

namespace hotplex::policies {

std::string PolicyToYaml(const PolicySpec& spec);

}  // namespace hotplex::policies
