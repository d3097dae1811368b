#include "policies/policy_decoder.hpp"

#include "policies/host_rules.hpp"

#include <fnmatch.h>
#include <seccomp.h>

#include <algorithm>

namespace hotplex::policies {
namespace {

constexpr std::string_view kUnsafeHint = "; set sandbox.unsafe: true to allow it";

bool IsAbsolutePath(std::string_view p) { return !p.empty() && p[0] == '/'; }

bool IsEnvName(std::string_view s, bool allow_glob) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = s[i];
    const bool ok = std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c)) ||
                    (allow_glob && (c == '*' || c == '?'));
    if (!ok) return false;
  }
  return true;
}

// Variables that change what every program in the sandbox loads.
bool IsLoaderVariable(std::string_view name) {
  return name.rfind("LD_", 0) == 0 || name == "BASH_ENV" || name == "ENV" ||
         name == "PROMPT_COMMAND";
}

void DecodeMount(const SourceNode& node, const std::string& path, SchemaReader& r,
                 std::vector<MountSpec>& out) {
  if (!r.Map(node, path, {"source", "target", "mode"})) return;
  MountSpec m;
  if (const auto* n = node.Find("source")) {
    if (auto s = r.String(*n, JoinPath(path, "source"))) {
      if (!IsAbsolutePath(*s)) r.Error(*n, JoinPath(path, "source"), "expected an absolute path");
      m.source = *s;
    }
  } else {
    r.Error(node, JoinPath(path, "source"), "missing required key 'source'");
  }
  if (const auto* n = node.Find("target")) {
    if (auto s = r.String(*n, JoinPath(path, "target"))) {
      if (!IsAbsolutePath(*s)) r.Error(*n, JoinPath(path, "target"), "expected an absolute path");
      m.target = *s;
    }
  }
  if (const auto* n = node.Find("mode")) {
    if (auto s = r.Choice(*n, JoinPath(path, "mode"), {"ro", "rw"})) m.writable = *s == "rw";
  }
  out.push_back(std::move(m));
}

void DecodeNetwork(const SourceNode& node, bool unsafe, SchemaReader& r, NetworkSpec& out) {
  const std::string path = "sandbox.network";
  if (!r.Map(node, path, {"mode", "allow_domains", "deny_domains", "forwards"})) return;
  if (const auto* n = node.Find("mode")) {
    if (auto s = r.Choice(*n, path + ".mode", {"none", "egress", "host"})) {
      out.mode = *s == "none" ? NetworkMode::kNone
                              : (*s == "egress" ? NetworkMode::kEgress : NetworkMode::kHost);
      if (out.mode == NetworkMode::kHost && !unsafe) {
        r.Error(*n, path + ".mode",
                "network 'host' shares the host's network" + std::string(kUnsafeHint));
      }
    }
  }
  for (const char* key : {"allow_domains", "deny_domains"}) {
    const auto* n = node.Find(key);
    if (n == nullptr) continue;
    auto list = r.StringList(*n, JoinPath(path, key));
    if (!list) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto parsed = ParseHostPattern((*list)[i]); !parsed) {
        r.Error(n->items[i], IndexPath(JoinPath(path, key), i),
                "expected a domain such as example.com, *.example.com or example.com:443: " +
                    parsed.error().message);
      }
    }
    (std::string_view(key) == "allow_domains" ? out.allow_domains : out.deny_domains) = *list;
  }
  if (const auto* n = node.Find("forwards")) {
    if (auto list = r.StringList(*n, path + ".forwards")) {
      std::vector<std::uint16_t> ports;
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto forward = ParseHostPort((*list)[i]);
        if (forward && std::find(ports.begin(), ports.end(), forward->port) != ports.end()) {
          r.Error(n->items[i], IndexPath(path + ".forwards", i),
                  "port " + std::to_string(forward->port) +
                      " is already forwarded: each forward listens on 127.0.0.1:<its port>");
        } else if (forward) {
          ports.push_back(forward->port);
        }
        if (!forward) {
          r.Error(n->items[i], IndexPath(path + ".forwards", i),
                  "expected host:port: " + forward.error().message);
        } else if (forward->port == kEgressProxyPort) {
          r.Error(n->items[i], IndexPath(path + ".forwards", i),
                  "port " + std::to_string(kEgressProxyPort) +
                      " is the egress proxy's port inside the sandbox; a forward listens on "
                      "127.0.0.1:<its port>, so pick a service on another port");
        }
      }
      out.forwards = *list;
    }
  }
}

void DecodeLimits(const SourceNode& node, bool unsafe, SchemaReader& r, LimitsSpec& out) {
  const std::string path = "sandbox.limits";
  if (!r.Map(node, path,
             {"memory", "cpu", "pids", "open_files", "wall_time", "idle_timeout", "max_sessions",
              "max_prompt_bytes"})) {
    return;
  }
  if (const auto* n = node.Find("memory")) {
    if (auto v = r.Size(*n, path + ".memory")) {
      out.memory_bytes = *v;
      if (*v == 0 && !unsafe)
        r.Error(*n, path + ".memory", "0 means unlimited" + std::string(kUnsafeHint));
      else if (*v != 0 && *v < (16u << 20))
        r.Error(*n, path + ".memory", "expected at least 16M");
    }
  }
  if (const auto* n = node.Find("cpu")) {
    if (auto v = r.Cores(*n, path + ".cpu")) out.cpu_cores = *v;
  }
  if (const auto* n = node.Find("pids")) {
    if (auto v = r.Uint(*n, path + ".pids", 1, 1u << 22)) out.pids = *v;
  }
  if (const auto* n = node.Find("open_files")) {
    if (auto v = r.Uint(*n, path + ".open_files", 16, 1u << 20)) out.open_files = *v;
  }
  if (const auto* n = node.Find("wall_time")) {
    if (auto v = r.Duration(*n, path + ".wall_time")) out.wall_time = *v;
  }
  if (const auto* n = node.Find("idle_timeout")) {
    if (auto v = r.Duration(*n, path + ".idle_timeout")) out.idle_timeout = *v;
  }
  if (const auto* n = node.Find("max_sessions")) {
    if (auto v = r.Uint(*n, path + ".max_sessions", 1, 100000))
      out.max_sessions = static_cast<std::uint32_t>(*v);
  }
  if (const auto* n = node.Find("max_prompt_bytes")) {
    if (auto v = r.Size(*n, path + ".max_prompt_bytes")) out.max_prompt_bytes = *v;
  }
}

void DecodeSyscalls(const SourceNode& node, SchemaReader& r, std::vector<std::string>& out) {
  const std::string path = "sandbox.extra_denied_syscalls";
  auto list = r.StringList(node, path);
  if (!list) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (seccomp_syscall_resolve_name((*list)[i].c_str()) == __NR_SCMP_ERROR) {
      r.Error(node.items[i], IndexPath(path, i), "unknown system call '" + (*list)[i] + "'");
    }
  }
  out = *list;
}

std::optional<std::uint32_t> DecodeId(const SourceNode& node, const std::string& path, bool unsafe,
                                      SchemaReader& r) {
  auto v = r.Uint(node, path, 0, 0xfffffffeu);
  if (v && *v == 0 && !unsafe) {
    r.Error(node, path, "0 runs the agent as host root" + std::string(kUnsafeHint));
  }
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

bool DecodeUnsafe(const SourceNode& sandbox, SchemaReader& r) {
  const auto* n = sandbox.IsMap() ? sandbox.Find("unsafe") : nullptr;
  if (n == nullptr) return false;
  return r.Bool(*n, "sandbox.unsafe").value_or(false);
}

void DecodeSandbox(const SourceNode& node, SchemaReader& r, SandboxSection& out) {
  const std::string p = "sandbox";
  if (!r.Map(node, p,
             {"backend", "image", "run_as_uid", "run_as_gid", "mounts", "network", "limits",
              "seccomp", "extra_denied_syscalls", "unsafe", "ask_timeout"})) {
    return;
  }
  out.unsafe = DecodeUnsafe(node, r);
  if (const auto* n = node.Find("backend")) {
    if (auto s = r.Choice(*n, p + ".backend", {"namespace", "docker", "job-object", "process"})) {
      out.backend = *s == "namespace" ? Backend::kNamespace
                    : *s == "docker"  ? Backend::kDocker
                    : *s == "process" ? Backend::kProcess
                                      : Backend::kJobObject;
      if (out.backend == Backend::kProcess && !out.unsafe) {
        r.Error(*n, p + ".backend",
                "backend 'process' has no isolation" + std::string(kUnsafeHint));
      }
    }
  }
  if (const auto* n = node.Find("image")) out.image = r.String(*n, p + ".image").value_or("");
  if (const auto* n = node.Find("run_as_uid"))
    out.run_as_uid = DecodeId(*n, p + ".run_as_uid", out.unsafe, r);
  if (const auto* n = node.Find("run_as_gid"))
    out.run_as_gid = DecodeId(*n, p + ".run_as_gid", out.unsafe, r);
  if (const auto* n = node.Find("mounts"); n != nullptr && r.List(*n, p + ".mounts")) {
    for (std::size_t i = 0; i < n->items.size(); ++i)
      DecodeMount(n->items[i], IndexPath(p + ".mounts", i), r, out.mounts);
  }
  if (const auto* n = node.Find("network")) DecodeNetwork(*n, out.unsafe, r, out.network);
  if (const auto* n = node.Find("limits")) DecodeLimits(*n, out.unsafe, r, out.limits);
  if (const auto* n = node.Find("seccomp")) {
    out.seccomp = r.Bool(*n, p + ".seccomp").value_or(true);
    if (!out.seccomp && !out.unsafe)
      r.Error(*n, p + ".seccomp", "disabling seccomp" + std::string(kUnsafeHint));
  }
  if (const auto* n = node.Find("extra_denied_syscalls"))
    DecodeSyscalls(*n, r, out.extra_denied_syscalls);
  if (const auto* n = node.Find("ask_timeout")) {
    if (auto v = r.Duration(*n, p + ".ask_timeout")) out.ask_timeout = *v;
  }
}

void DecodeEnv(const SourceNode& node, bool unsafe, SchemaReader& r, EnvSection& out) {
  if (!r.Map(node, "env", {"pass", "set"})) return;
  if (const auto* n = node.Find("pass")) {
    if (auto list = r.StringList(*n, "env.pass")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string path = IndexPath("env.pass", i);
        if (!IsEnvName((*list)[i], true)) {
          r.Error(n->items[i], path, "expected a variable name or glob such as GIT_* ");
        } else if (!unsafe && (IsLoaderVariable((*list)[i]) || (*list)[i].find('*') == 0)) {
          r.Error(n->items[i], path,
                  "passing '" + (*list)[i] +
                      "' changes what every program loads or passes everything" +
                      std::string(kUnsafeHint));
        }
      }
      out.pass = *list;
    }
  }
  if (const auto* n = node.Find("set"); n != nullptr && !n->IsMap()) {
    r.Error(*n, "env.set",
            std::string("expected a map of NAME: value, found ") + KindName(n->kind));
  }
  if (const auto* n = node.Find("set"); n != nullptr && n->IsMap()) {
    for (const auto& [key, value] : n->entries) {
      const std::string path = JoinPath("env.set", key.scalar);
      if (!IsEnvName(key.scalar, false))
        r.Error(key, path, "expected a variable name");
      else if (IsLoaderVariable(key.scalar) && !unsafe)
        r.Error(key, path,
                "setting '" + key.scalar + "' changes what every program loads" +
                    std::string(kUnsafeHint));
      if (auto v = r.String(value, path)) out.set[key.scalar] = *v;
    }
  }
}

void DecodeProvider(const SourceNode& node, SchemaReader& r, ProviderSection& out) {
  if (!r.Map(node, "provider", {"claude_code", "exec"})) return;
  if (const auto* cc = node.Find("claude_code");
      cc != nullptr &&
      r.Map(*cc, "provider.claude_code", {"model", "extra_args", "append_system_prompt"})) {
    if (const auto* n = cc->Find("model"))
      out.claude_code.model = r.String(*n, "provider.claude_code.model").value_or("");
    if (const auto* n = cc->Find("extra_args"))
      out.claude_code.extra_args =
          r.StringList(*n, "provider.claude_code.extra_args").value_or(std::vector<std::string>{});
    if (const auto* n = cc->Find("append_system_prompt"))
      out.claude_code.append_system_prompt =
          r.String(*n, "provider.claude_code.append_system_prompt").value_or("");
  }
  if (const auto* ex = node.Find("exec");
      ex != nullptr && r.Map(*ex, "provider.exec", {"allowed_commands"})) {
    if (const auto* n = ex->Find("allowed_commands"))
      out.exec.allowed_commands =
          r.StringList(*n, "provider.exec.allowed_commands").value_or(std::vector<std::string>{});
  }
}

}  // namespace

PolicySpec DecodePolicy(const SourceNode& root, SchemaReader& r) {
  PolicySpec spec;
  if (!r.Map(root, "",
             {"extends", "description", "sandbox", "env", "tools", "commands", "provider"})) {
    return spec;
  }
  if (const auto* n = root.Find("description"))
    spec.description = r.String(*n, "description").value_or("");
  if (const auto* n = root.Find("sandbox")) DecodeSandbox(*n, r, spec.sandbox);
  const bool unsafe = spec.sandbox.unsafe;
  if (const auto* n = root.Find("env")) DecodeEnv(*n, unsafe, r, spec.env);
  if (const auto* n = root.Find("tools")) DecodeTools(*n, unsafe, r, spec.tools);
  if (const auto* n = root.Find("commands")) DecodeCommands(*n, unsafe, r, spec.commands);
  if (const auto* n = root.Find("provider")) DecodeProvider(*n, r, spec.provider);
  return spec;
}

}  // namespace hotplex::policies
