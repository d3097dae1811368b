#include "policies/firewall.hpp"

#include <algorithm>

#include "policies/shell_parser.hpp"

namespace hotplex::policies {
namespace {

RE2::Options SetOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  return o;
}

int Severity(Verdict v, bool has_rule) {
  switch (v) {
    case Verdict::kDeny: return 3;
    case Verdict::kAsk: return 2;
    case Verdict::kAllow: return has_rule ? 1 : 0;
  }
  return 0;
}

Verdict VerdictFor(Action a) {
  switch (a) {
    case Action::kBlock: return Verdict::kDeny;
    case Action::kAsk: return Verdict::kAsk;
    case Action::kLog: return Verdict::kAllow;
  }
  return Verdict::kDeny;
}

std::string Shorten(std::string_view s) {
  constexpr std::size_t kMax = 240;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

// Scratch space reused by every decision on this thread.
struct Scratch {
  ShellParser parser;
  ParsedScript parsed;
  std::string padded;
  std::vector<int> matches;
  std::vector<unsigned char> hit;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

void Pad(std::string_view line, std::string& out) {
  out.clear();
  out.reserve(line.size() + 2);
  out += ' ';
  out += line;
  out += ' ';
}

}  // namespace

struct CommandFirewall::Best {
  const Rule* rule = nullptr;
  std::string matched;
  int severity = 0;

  void Offer(const Rule& r, std::string_view shown) {
    const int s = Severity(VerdictFor(r.action), true);
    const bool better = s > severity || (s == severity && rule != nullptr && r.level < rule->level);
    if (rule != nullptr && !better) return;
    rule = &r;
    severity = s;
    matched = Shorten(shown);
  }
};

Result<std::unique_ptr<CommandFirewall>> CommandFirewall::Build(const CommandsSection& spec) {
  std::unique_ptr<CommandFirewall> fw(new CommandFirewall());
  fw->enabled_ = spec.firewall;
  for (const auto& rule : BuiltinRules()) HOTPLEX_TRY_STATUS(fw->AddBuiltin(rule, spec));
  for (const auto& rule : spec.rules) HOTPLEX_TRY_STATUS(fw->AddTeamRule(rule, spec));
  for (Bucket* b : {&fw->command_any_, &fw->pipeline_, &fw->script_, &fw->raw_, &fw->team_}) {
    HOTPLEX_TRY_STATUS(CompileBucket(*b));
  }
  for (auto& [program, bucket] : fw->by_program_) HOTPLEX_TRY_STATUS(CompileBucket(bucket));
  if (!spec.allow.empty()) {
    fw->allow_ = std::make_unique<RE2::Set>(SetOptions(), RE2::ANCHOR_BOTH);
    for (const auto& pattern : spec.allow) {
      std::string error;
      if (fw->allow_->Add(pattern, &error) < 0) return MakeError("commands.allow: " + error);
    }
    if (!fw->allow_->Compile()) return MakeError("commands.allow: RE2 set too large");
  }
  return fw;
}

Status CommandFirewall::AddBuiltin(const BuiltinRule& rule, const CommandsSection& spec) {
  const auto cat = spec.categories.find(std::string(rule.category));
  if (cat != spec.categories.end() && !cat->second) return {};
  if (std::find(spec.disable.begin(), spec.disable.end(), rule.id) != spec.disable.end()) return {};
  const auto action = spec.actions.find(rule.level);
  rules_.push_back({std::string(rule.id), std::string(rule.category), std::string(rule.message),
                    rule.level, action == spec.actions.end() ? Action::kBlock : action->second,
                    rule.scope});
  const std::size_t index = rules_.size() - 1;
  switch (rule.scope) {
    case RuleScope::kPipeline:
      return AddToBucket(pipeline_, index, rule.all, rule.none, RE2::UNANCHORED);
    case RuleScope::kScript:
      return AddToBucket(script_, index, rule.all, rule.none, RE2::UNANCHORED);
    case RuleScope::kRaw: return AddToBucket(raw_, index, rule.all, rule.none, RE2::UNANCHORED);
    case RuleScope::kCommand: break;
  }
  if (rule.programs.empty())
    return AddToBucket(command_any_, index, rule.all, rule.none, RE2::UNANCHORED);
  for (const auto program : rule.programs) {
    HOTPLEX_TRY_STATUS(AddToBucket(by_program_[std::string(program)], index, rule.all, rule.none,
                                   RE2::UNANCHORED));
  }
  return {};
}

Status CommandFirewall::AddTeamRule(const TeamRule& rule, const CommandsSection& spec) {
  const auto action = spec.actions.find(rule.level);
  std::string message = rule.message.empty() ? "blocked by team rule " + rule.id : rule.message;
  rules_.push_back({rule.id, rule.category, std::move(message), rule.level,
                    action == spec.actions.end() ? Action::kBlock : action->second,
                    RuleScope::kCommand});
  return AddToBucket(team_, rules_.size() - 1, {rule.pattern}, {}, RE2::UNANCHORED);
}

Status CommandFirewall::AddToBucket(Bucket& bucket, std::size_t rule,
                                    const std::vector<std::string_view>& all,
                                    const std::vector<std::string_view>& none, RE2::Anchor anchor) {
  if (!bucket.set) bucket.set = std::make_unique<RE2::Set>(SetOptions(), anchor);
  auto index_of = [&](std::string_view atom) -> Result<int> {
    const auto found = bucket.atom_index.find(std::string(atom));
    if (found != bucket.atom_index.end()) return found->second;
    std::string error;
    const int i = bucket.set->Add(atom, &error);
    if (i < 0) return MakeError("invalid firewall pattern '" + std::string(atom) + "': " + error);
    bucket.atom_index.emplace(std::string(atom), i);
    bucket.atoms = i + 1;
    return i;
  };
  BucketRule br{rule, {}, {}};
  for (const auto a : all) {
    HOTPLEX_TRY(const int i, index_of(a));
    br.all.push_back(i);
  }
  for (const auto a : none) {
    HOTPLEX_TRY(const int i, index_of(a));
    br.none.push_back(i);
  }
  bucket.rules.push_back(std::move(br));
  return {};
}

Status CommandFirewall::CompileBucket(Bucket& bucket) {
  if (bucket.set && bucket.atoms > 0 && !bucket.set->Compile()) {
    return MakeError("firewall rule set does not compile (out of memory)");
  }
  return {};
}

void CommandFirewall::MatchBucket(const Bucket& bucket, std::string_view text,
                                  std::string_view shown, Best& best) const {
  if (bucket.rules.empty()) return;
  Scratch& s = ThreadScratch();
  s.matches.clear();
  if (bucket.atoms > 0) bucket.set->Match(text, &s.matches);
  s.hit.assign(static_cast<std::size_t>(bucket.atoms), 0);
  for (const int m : s.matches) s.hit[static_cast<std::size_t>(m)] = 1;
  for (const auto& br : bucket.rules) {
    const bool all = std::all_of(br.all.begin(), br.all.end(),
                                 [&](int i) { return s.hit[static_cast<std::size_t>(i)] != 0; });
    if (!all) continue;
    const bool none = std::none_of(br.none.begin(), br.none.end(),
                                   [&](int i) { return s.hit[static_cast<std::size_t>(i)] != 0; });
    if (none) best.Offer(rules_[br.rule], shown);
  }
}

bool CommandFirewall::Allowed(std::string_view line) const {
  return allow_ && allow_->Match(line, nullptr);
}

Decision CommandFirewall::Check(std::string_view command) const {
  if (!enabled_) return Decision{};
  Scratch& s = ThreadScratch();
  s.parser.Parse(command, s.parsed);
  const ParsedScript& p = s.parsed;
  if (!p.rejection.empty()) {
    return Decision{Verdict::kDeny,
                    "firewall.unparsable",
                    "high",
                    "firewall",
                    "the firewall refused this command: " + p.rejection +
                        ". Send plain printable shell text without control characters, and split "
                        "very long or deeply nested commands.",
                    ""};
  }
  Best best;
  std::string& padded = s.padded;
  for (std::size_t i = 0; i < p.command_count; ++i) {
    const ParsedCommand& c = p.commands[i];
    MatchBucket(team_, c.line, c.line, best);
    if (Allowed(c.line)) continue;
    Pad(c.line, padded);
    MatchBucket(command_any_, padded, c.line, best);
    const auto bucket = by_program_.find(c.program);
    if (bucket != by_program_.end()) MatchBucket(bucket->second, padded, c.line, best);
  }
  for (std::size_t i = 0; i < p.pipeline_count; ++i) {
    const std::string& pipeline = p.pipelines[i];
    Pad(pipeline, padded);
    MatchBucket(pipeline_, padded, pipeline, best);
  }
  if (p.command_count >= 2) {  // script rules combine commands; one command is covered above
    Pad(p.script, padded);
    MatchBucket(script_, padded, p.script, best);
  }
  MatchBucket(raw_, p.raw, p.raw, best);
  if (best.rule == nullptr) return Decision{};
  const Rule& r = *best.rule;
  return Decision{VerdictFor(r.action), r.id,      LevelName(r.level),
                  r.category,           r.message, std::move(best.matched)};
}

}  // namespace hotplex::policies
