// The built-in command firewall rules: ids, categories, risk levels, the RE2
// atoms each rule needs, and the message the agent gets.
//
// A rule matches when every `all` atom is found and no `none` atom is found in
// the text of its scope (see RuleScope), and, for command-scope rules with
// `programs`, when the simple command's program is one of them. Atoms are
// RE2 searched in the normalised text; policies/README.md describes it.
// Thread-safety: immutable static data.
#pragma once

#include <string_view>
#include <vector>

#include "policies/policy_spec.hpp"

namespace hotplex::policies {

enum class RuleScope {
  kCommand,   // each simple command: "prog arg arg" after normalisation (wrappers unwrapped)
  kPipeline,  // each pipeline: its simple commands joined with " | "
  kScript,    // the whole input, when it has two or more simple commands, joined by " ; "
  kRaw,       // the raw input with all whitespace removed (shapes the parser drops, e.g. `(){`)
};

struct BuiltinRule {
  std::string_view id;        // "<category>.<name>"
  std::string_view category;  // one of BuiltinCategories()
  Level level;
  RuleScope scope;
  std::vector<std::string_view> programs;  // command scope: program names; empty = any
  std::vector<std::string_view> all;       // RE2 atoms that must all be found
  std::vector<std::string_view> none;      // RE2 atoms that must not be found
  std::string_view message;                // why, and what to do instead
};

const std::vector<BuiltinRule>& BuiltinRules();
const std::vector<std::string_view>& BuiltinCategories();
std::vector<std::string_view> BuiltinRuleIds();

}  // namespace hotplex::policies
