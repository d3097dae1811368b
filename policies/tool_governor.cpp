#include "policies/tool_governor.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "policies/host_rules.hpp"
#include "policies/path_confinement.hpp"

namespace hotplex::policies {
namespace {

struct FileTool {
  std::string_view name;
  std::string_view path_field;
  bool write;
  bool path_optional;  // absent means the WorkDir
};

constexpr std::array<FileTool, 10> kFileTools = {{
    {"Read", "file_path", false, false},
    {"Write", "file_path", true, false},
    {"Edit", "file_path", true, false},
    {"MultiEdit", "file_path", true, false},
    {"NotebookRead", "notebook_path", false, false},
    {"NotebookEdit", "notebook_path", true, false},
    {"LS", "path", false, false},
    {"Glob", "path", false, true},
    {"Grep", "path", false, true},
    {"Search", "path", false, true},
}};

Decision Deny(std::string rule, std::string category, std::string message,
              std::string matched = {}) {
  return Decision{Verdict::kDeny,      std::move(rule),    "high",
                  std::move(category), std::move(message), std::move(matched)};
}

bool AnyGlob(const std::vector<std::string>& globs, std::string_view name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return GlobMatch(g, name); });
}

// Host and port of a URL; the port defaults to the scheme's (https 443, else 80).
std::pair<std::string_view, std::uint16_t> HostPortOf(std::string_view url) {
  std::uint16_t port = url.rfind("https://", 0) == 0 ? 443 : 80;
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  std::string_view host = url;
  if (!url.empty() && url.front() == '[') {
    host = url.substr(0, url.find(']') + 1);
  } else {
    host = url.substr(0, url.find(':'));
  }
  if (host.size() < url.size() && url[host.size()] == ':') {
    unsigned value = 0;
    const auto digits = url.substr(host.size() + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    // An unparsable port can match no pattern with a port (0 is never a port).
    port = ec == std::errc() && end == digits.data() + digits.size() && value <= 65535
               ? static_cast<std::uint16_t>(value)
               : 0;
  }
  return {host, port};
}

// The literal directory prefix of a glob pattern (up to the first wildcard).
std::string GlobBase(const std::string& pattern) {
  const auto wild = pattern.find_first_of("*?[{");
  std::string literal = pattern.substr(0, wild);
  if (wild == std::string::npos) return literal;
  const auto slash = literal.rfind('/');
  return slash == std::string::npos ? std::string(".")
                                    : (slash == 0 ? "/" : literal.substr(0, slash));
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  const std::string p(pattern), t(text);
  if (p.rfind("**/", 0) == 0) {
    const std::string rest = p.substr(3);
    if (::fnmatch(rest.c_str(), t.c_str(), FNM_PATHNAME) == 0) return true;
    for (std::size_t i = t.find('/'); i != std::string::npos; i = t.find('/', i + 1)) {
      if (::fnmatch(rest.c_str(), t.c_str() + i + 1, FNM_PATHNAME) == 0) return true;
    }
    return false;
  }
  return ::fnmatch(p.c_str(), t.c_str(), 0) == 0;
}

Decision ToolGovernor::Decide(std::string_view tool, const nlohmann::json& input,
                              const std::string& workdir, const CommandFirewall& firewall) const {
  Decision by_name = DecideName(tool);
  if (by_name.verdict == Verdict::kDeny) return by_name;
  Decision by_input = DecideInput(tool, input, workdir, firewall);
  if (by_input.verdict != Verdict::kAllow) return by_input;
  if (by_name.verdict == Verdict::kAsk) return by_name;
  return by_input.rule.empty() ? by_name : by_input;  // keep a logged firewall match visible
}

Decision ToolGovernor::DecideName(std::string_view tool) const {
  const std::string name(tool);
  if (AnyGlob(tools_.deny, tool)) {
    return Deny("tools.deny", "tools",
                "the tool '" + name +
                    "' is denied by this policy; use another tool or ask the operator to allow it.",
                name);
  }
  if (AnyGlob(tools_.ask, tool)) {
    return Decision{Verdict::kAsk,
                    "tools.ask",
                    "medium",
                    "tools",
                    "the tool '" + name + "' needs a person's approval under this policy.",
                    name};
  }
  if (AnyGlob(tools_.allow, tool)) return Decision{Verdict::kAllow, "", "", "", "", ""};
  switch (tools_.default_verdict) {
    case ToolVerdict::kAllow: return Decision{};
    case ToolVerdict::kAsk:
      return Decision{
          Verdict::kAsk,
          "tools.default",
          "medium",
          "tools",
          "the tool '" + name + "' is not listed in this policy and needs a person's approval.",
          name};
    case ToolVerdict::kDeny: break;
  }
  return Deny(
      "tools.default", "tools",
      "the tool '" + name +
          "' is not allowed by this policy (not in tools.allow); use one of the allowed tools.",
      name);
}

Decision ToolGovernor::DecideInput(std::string_view tool, const nlohmann::json& input,
                                   const std::string& workdir,
                                   const CommandFirewall& firewall) const {
  if (tool == "Bash") {
    const auto it = input.is_object() ? input.find("command") : input.end();
    if (!input.is_object() || it == input.end() || !it->is_string()) {
      return Deny("tools.bad-input", "tools", "the Bash tool needs a string field \"command\".");
    }
    return firewall.Check(it->get_ref<const std::string&>());
  }
  if (tool == "WebFetch") {
    const auto it = input.is_object() ? input.find("url") : input.end();
    if (!input.is_object() || it == input.end() || !it->is_string()) {
      return Deny("tools.bad-input", "tools", "the WebFetch tool needs a string field \"url\".");
    }
    return CheckUrl(it->get<std::string>());
  }
  const auto tool_spec = std::find_if(kFileTools.begin(), kFileTools.end(),
                                      [&](const FileTool& f) { return f.name == tool; });
  if (tool_spec == kFileTools.end()) return Decision{};
  if (!input.is_object())
    return Deny("tools.bad-input", "tools", "the tool input must be a JSON object.");
  const auto field = input.find(std::string(tool_spec->path_field));
  std::string path = workdir;
  if (field != input.end() && field->is_string()) {
    path = field->get<std::string>();
  } else if (!tool_spec->path_optional || (field != input.end() && !field->is_null())) {
    return Deny("tools.bad-input", "tools",
                "the " + std::string(tool) + " tool needs a string field \"" +
                    std::string(tool_spec->path_field) + "\".");
  }
  Decision d = CheckPath(tool, path, tool_spec->write, workdir);
  if (d.verdict != Verdict::kAllow || tool != "Glob") return d;
  const auto pattern = input.find("pattern");
  if (pattern == input.end() || !pattern->is_string()) return d;
  const std::string base = GlobBase(pattern->get<std::string>());
  const std::string from = path.empty() || path[0] == '/' ? path : workdir + "/" + path;
  return CheckPath(tool, base.empty() || base[0] == '/' ? base : from + "/" + base, false, workdir);
}

Decision ToolGovernor::CheckPath(std::string_view tool, const std::string& path, bool write,
                                 const std::string& workdir) const {
  const std::string& shown = path;
  if (!path.empty() && path[0] == '~') {
    return Deny("files.outside-workdir", "files",
                "'~' paths point outside the working directory; use a path inside " + workdir + ".",
                shown);
  }
  if (workdir.empty() || workdir[0] != '/') {
    return Deny("files.no-workdir", "files",
                "the session has no absolute working directory, so file tools are disabled.",
                shown);
  }
  auto root = ResolvePath(workdir, "/");
  auto resolved = ResolvePath(path, root ? *root : workdir);
  if (!root || !resolved) {
    return Deny("files.unresolvable", "files",
                "the path could not be resolved: " +
                    (resolved ? root.error() : resolved.error()).Describe(),
                shown);
  }
  const std::string rel = IsWithin(*resolved, *root)
                              ? resolved->substr(std::min(resolved->size(), root->size() + 1))
                              : *resolved;
  if (AnyGlob(tools_.files.deny, rel)) {
    return Deny(
        "files.deny", "files",
        "the path '" + rel + "' matches tools.files.deny in this policy; do not read or change it.",
        *resolved);
  }
  if (!tools_.files.confine_to_workdir || IsWithin(*resolved, *root)) return Decision{};
  const auto& extra = write ? tools_.files.write_paths : tools_.files.read_paths;
  auto within = [&](const std::vector<std::string>& roots) {
    return std::any_of(roots.begin(), roots.end(), [&](const std::string& r) {
      auto rr = ResolvePath(r, "/");
      return rr && IsWithin(*resolved, *rr);
    });
  };
  if (within(extra) || (!write && within(tools_.files.write_paths))) return Decision{};
  return Deny("files.outside-workdir", "files",
              std::string(tool) + " may only " + (write ? "write" : "read") +
                  " inside the working directory " + *root + "; '" + shown + "' resolves to '" +
                  *resolved + "'. Use a path inside the working directory.",
              *resolved);
}

Decision ToolGovernor::CheckUrl(const std::string& url) const {
  const auto [host_view, port] = HostPortOf(url);
  const std::string host(host_view);
  switch (network_.mode) {
    case NetworkMode::kHost: return Decision{};
    case NetworkMode::kNone:
      return Deny("network.none", "network",
                  "this policy gives the session no network (sandbox.network.mode: none); work "
                  "from local files instead.",
                  host);
    case NetworkMode::kEgress: break;
  }
  auto rules = HostRules::Build(network_.allow_domains, network_.deny_domains);
  if (!rules || !rules->Decide(host, port).allowed) {
    return Deny("network.domain", "network",
                "the domain '" + host + "' is not in sandbox.network.allow_domains of this policy.",
                host);
  }
  return Decision{};
}

}  // namespace hotplex::policies
