// Loading policy files: YAML -> SourceNode tree -> `extends` chain merged ->
// validated PolicySpec -> CompiledPolicy. Every problem of every file in the
// chain is reported at once, each with file:line:column, the field path and
// what was expected. A policy with any diagnostic is never returned.
//
// `extends: NAME` looks for NAME.yaml (then NAME.yml) in `search_dir`; without
// `extends` a policy extends `default`, and `extends: none` starts from the
// built-in defaults of PolicySpec. When `search_dir` has no default.yaml the
// embedded copy of policies/default.yaml is used.
// Thread-safety: reentrant functions.
#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policies/compiled_policy.hpp"
#include "policies/diagnostic.hpp"
#include "policies/policy_spec.hpp"

namespace hotplex::policies {

using LoadResult =
    boost::system::result<std::shared_ptr<const CompiledPolicy>, std::vector<Diagnostic>>;

// The policy's name is the file's stem ("policies/team-a.yaml" -> "team-a").
LoadResult LoadPolicyFile(const std::string& path, const std::string& search_dir);
// `name` names the policy and labels its diagnostics.
LoadResult LoadPolicyText(std::string_view yaml, std::string name, const std::string& search_dir);

// The embedded policies/default.yaml.
std::string_view BuiltinDefaultPolicyText();

}  // namespace hotplex::policies
