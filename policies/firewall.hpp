// CommandFirewall: the command firewall of one policy, compiled once.
//
// Built-in rules (switched on by category, minus `disable`) and team rules are
// compiled into RE2::Sets grouped by scope and by program, so a decision costs
// a parse plus a few DFA passes. Check() parses the command (ShellParser),
// matches every simple command, pipeline, the whole script and the raw text,
// and returns the most severe matching rule as a Decision (block > ask > log;
// then critical > high > medium > low).
// Thread-safety: immutable after Build(); Check() is safe from any thread
// (per-thread scratch buffers).
#pragma once

#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "policies/builtin_rules.hpp"
#include "policies/decision.hpp"
#include "policies/policy_spec.hpp"

namespace hotplex::policies {

class CommandFirewall {
 public:
  static Result<std::unique_ptr<CommandFirewall>> Build(const CommandsSection& spec);

  Decision Check(std::string_view command) const;
  std::size_t RuleCount() const { return rules_.size(); }

 private:
  struct Rule {
    std::string id, category, message;
    Level level;
    Action action;
    RuleScope scope;
  };
  struct BucketRule {
    std::size_t rule;
    std::vector<int> all, none;
  };
  // One RE2::Set and the rules whose atoms it holds.
  struct Bucket {
    std::unique_ptr<RE2::Set> set;
    std::unordered_map<std::string, int> atom_index;
    std::vector<BucketRule> rules;
    int atoms = 0;
  };
  struct Best;

  CommandFirewall() = default;
  Status AddBuiltin(const BuiltinRule& rule, const CommandsSection& spec);
  Status AddTeamRule(const TeamRule& rule, const CommandsSection& spec);
  static Status AddToBucket(Bucket& bucket, std::size_t rule,
                            const std::vector<std::string_view>& all,
                            const std::vector<std::string_view>& none, RE2::Anchor anchor);
  static Status CompileBucket(Bucket& bucket);
  void MatchBucket(const Bucket& bucket, std::string_view text, std::string_view shown,
                   Best& best) const;
  bool Allowed(std::string_view line) const;

  bool enabled_ = true;
  std::vector<Rule> rules_;
  Bucket command_any_, pipeline_, script_, raw_, team_;
  std::unordered_map<std::string, Bucket> by_program_;
  std::unique_ptr<RE2::Set> allow_;
};

}  // namespace hotplex::policies
