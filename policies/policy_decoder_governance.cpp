// Decoding of the `tools` and `commands` sections (agent tool governance and
// the command firewall).
#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "policies/builtin_rules.hpp"
#include "policies/policy_decoder.hpp"

namespace hotplex::policies {
namespace {

constexpr std::string_view kUnsafeHint = "; set sandbox.unsafe: true to allow it";

bool IsToolGlob(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '*' || c == '?' || c == '.' ||
           c == '[' || c == ']' || c == ':';
  });
}

bool IsRuleId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-' || c == '_' || c == '.';
  });
}

void CheckRegex(const SourceNode& node, const std::string& pattern, const std::string& path,
                SchemaReader& r) {
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(pattern, options);
  if (!re.ok()) r.Error(node, path, "invalid RE2 pattern: " + re.error());
}

std::optional<Level> DecodeLevel(const SourceNode& node, const std::string& path, SchemaReader& r) {
  auto s = r.Choice(node, path, {"critical", "high", "medium", "low"});
  if (!s) return std::nullopt;
  if (*s == "critical") return Level::kCritical;
  if (*s == "high") return Level::kHigh;
  if (*s == "medium") return Level::kMedium;
  return Level::kLow;
}

void DecodeFiles(const SourceNode& node, bool unsafe, SchemaReader& r, FileAccessSpec& out) {
  const std::string p = "tools.files";
  if (!r.Map(node, p, {"confine_to_workdir", "read_paths", "write_paths", "deny"})) return;
  if (const auto* n = node.Find("confine_to_workdir")) {
    out.confine_to_workdir = r.Bool(*n, p + ".confine_to_workdir").value_or(true);
    if (!out.confine_to_workdir && !unsafe) {
      r.Error(*n, p + ".confine_to_workdir",
              "letting file tools reach the whole sandbox filesystem" + std::string(kUnsafeHint));
    }
  }
  for (const char* key : {"read_paths", "write_paths"}) {
    const auto* n = node.Find(key);
    if (n == nullptr) continue;
    auto list = r.StringList(*n, JoinPath(p, key));
    if (!list) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if ((*list)[i].empty() || (*list)[i][0] != '/') {
        r.Error(n->items[i], IndexPath(JoinPath(p, key), i), "expected an absolute path");
      } else if ((*list)[i] == "/" && !unsafe) {
        r.Error(n->items[i], IndexPath(JoinPath(p, key), i),
                "'/' opens the whole filesystem" + std::string(kUnsafeHint));
      }
    }
    (std::string_view(key) == "read_paths" ? out.read_paths : out.write_paths) = *list;
  }
  if (const auto* n = node.Find("deny"))
    out.deny = r.StringList(*n, p + ".deny").value_or(std::vector<std::string>{});
}

void DecodeTeamRule(const SourceNode& node, const std::string& path, SchemaReader& r,
                    std::set<std::string>& ids, std::vector<TeamRule>& out) {
  if (!r.Map(node, path, {"id", "pattern", "level", "category", "message"})) return;
  TeamRule rule;
  for (const char* key : {"id", "pattern", "message"}) {
    if (node.Find(key) == nullptr)
      r.Error(node, JoinPath(path, key), std::string("missing required key '") + key + "'");
  }
  if (const auto* n = node.Find("id")) {
    rule.id = r.String(*n, path + ".id").value_or("");
    if (!IsRuleId(rule.id))
      r.Error(*n, path + ".id", "expected an id of lower-case letters, digits, '-', '_' or '.'");
    else if (!ids.insert(rule.id).second)
      r.Error(*n, path + ".id", "duplicate rule id '" + rule.id + "'");
  }
  if (const auto* n = node.Find("pattern")) {
    rule.pattern = r.String(*n, path + ".pattern").value_or("");
    CheckRegex(*n, rule.pattern, path + ".pattern", r);
  }
  if (const auto* n = node.Find("level"))
    rule.level = DecodeLevel(*n, path + ".level", r).value_or(Level::kHigh);
  if (const auto* n = node.Find("category"))
    rule.category = r.String(*n, path + ".category").value_or("team");
  if (const auto* n = node.Find("message"))
    rule.message = r.String(*n, path + ".message").value_or("");
  out.push_back(std::move(rule));
}

void DecodeCategories(const SourceNode& node, SchemaReader& r, std::map<std::string, bool>& out) {
  const std::string p = "commands.categories";
  if (!r.Map(node, p, BuiltinCategories())) return;
  for (const auto& [key, value] : node.entries) {
    const auto& cats = BuiltinCategories();
    if (std::find(cats.begin(), cats.end(), key.scalar) == cats.end()) continue;
    if (auto b = r.Bool(value, JoinPath(p, key.scalar))) out[key.scalar] = *b;
  }
}

void DecodeDisable(const SourceNode& node, SchemaReader& r, std::vector<std::string>& out) {
  auto list = r.StringList(node, "commands.disable");
  if (!list) return;
  const auto ids = BuiltinRuleIds();
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (std::find(ids.begin(), ids.end(), (*list)[i]) != ids.end()) continue;
    std::string message = "unknown built-in rule '" + (*list)[i] + "'";
    const std::string suggestion = DidYouMean((*list)[i], ids);
    if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
    r.Error(node.items[i], IndexPath("commands.disable", i), message);
  }
  out = *list;
}

void DecodeActions(const SourceNode& node, SchemaReader& r, std::map<Level, Action>& out) {
  const std::string p = "commands.actions";
  if (!r.Map(node, p, {"critical", "high", "medium", "low"})) return;
  const std::map<std::string, Level> levels = {{"critical", Level::kCritical},
                                               {"high", Level::kHigh},
                                               {"medium", Level::kMedium},
                                               {"low", Level::kLow}};
  for (const auto& [key, value] : node.entries) {
    const auto level = levels.find(key.scalar);
    if (level == levels.end()) continue;
    auto s = r.Choice(value, JoinPath(p, key.scalar), {"block", "ask", "log"});
    if (!s) continue;
    out[level->second] =
        *s == "block" ? Action::kBlock : (*s == "ask" ? Action::kAsk : Action::kLog);
  }
}

}  // namespace

void DecodeTools(const SourceNode& node, bool unsafe, SchemaReader& r, ToolsSection& out) {
  if (!r.Map(node, "tools", {"allow", "ask", "deny", "default", "files"})) return;
  for (const char* key : {"allow", "ask", "deny"}) {
    const auto* n = node.Find(key);
    if (n == nullptr) continue;
    auto list = r.StringList(*n, JoinPath("tools", key));
    if (!list) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!IsToolGlob((*list)[i]))
        r.Error(n->items[i], IndexPath(JoinPath("tools", key), i),
                "expected a tool name or glob such as Bash or mcp__github__*");
    }
    const std::string_view k = key;
    (k == "allow" ? out.allow : k == "ask" ? out.ask : out.deny) = *list;
  }
  if (const auto* n = node.Find("default")) {
    if (auto s = r.Choice(*n, "tools.default", {"allow", "ask", "deny"})) {
      out.default_verdict = *s == "allow" ? ToolVerdict::kAllow
                                          : (*s == "ask" ? ToolVerdict::kAsk : ToolVerdict::kDeny);
    }
  }
  if (const auto* n = node.Find("files")) DecodeFiles(*n, unsafe, r, out.files);
}

void DecodeCommands(const SourceNode& node, bool unsafe, SchemaReader& r, CommandsSection& out) {
  const std::string p = "commands";
  if (!r.Map(node, p,
             {"firewall", "check_prompts", "categories", "disable", "actions", "rules", "allow"}))
    return;
  if (const auto* n = node.Find("firewall")) {
    out.firewall = r.Bool(*n, p + ".firewall").value_or(true);
    if (!out.firewall && !unsafe)
      r.Error(*n, p + ".firewall", "turning the command firewall off" + std::string(kUnsafeHint));
  }
  if (const auto* n = node.Find("check_prompts"))
    out.check_prompts = r.Bool(*n, p + ".check_prompts").value_or(false);
  if (const auto* n = node.Find("categories")) DecodeCategories(*n, r, out.categories);
  if (const auto* n = node.Find("disable")) DecodeDisable(*n, r, out.disable);
  if (const auto* n = node.Find("actions")) DecodeActions(*n, r, out.actions);
  if (const auto* n = node.Find("rules"); n != nullptr && r.List(*n, p + ".rules")) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < n->items.size(); ++i)
      DecodeTeamRule(n->items[i], IndexPath(p + ".rules", i), r, ids, out.rules);
  }
  if (const auto* n = node.Find("allow")) {
    if (auto list = r.StringList(*n, p + ".allow")) {
      for (std::size_t i = 0; i < list->size(); ++i)
        CheckRegex(n->items[i], (*list)[i], IndexPath(p + ".allow", i), r);
      out.allow = *list;
    }
  }
}

}  // namespace hotplex::policies
