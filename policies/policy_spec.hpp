// PolicySpec: what one team's policy file says, as plain structs.
//
// Every field carries its default here; policies/README.md documents the same
// fields for operators. The loader fills these from YAML after `extends` has
// been merged and validated; CompiledPolicy builds its matchers from them.
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hotplex::policies {

enum class Backend { kNamespace, kDocker, kJobObject, kProcess /* needs unsafe */ };
enum class NetworkMode { kNone, kEgress, kHost /* needs unsafe */ };

struct MountSpec {
  std::string source;     // host path (absolute)
  std::string target;     // path inside the sandbox; empty = same as source
  bool writable = false;  // `mode: rw`; read-only unless said so
};

// Egress: the proxy listens on 127.0.0.1:kEgressProxyPort inside the sandbox;
// a forward "host:port" listens on 127.0.0.1:port (so never on this port).
inline constexpr std::uint16_t kEgressProxyPort = 3128;

struct NetworkSpec {
  NetworkMode mode = NetworkMode::kNone;
  std::vector<std::string> allow_domains;  // egress only: host[:port], *.host[:port] reachable
  std::vector<std::string> deny_domains;   // egress only: wins over allow_domains
  std::vector<std::string> forwards;       // "host:port" services made reachable on 127.0.0.1:port
};

struct LimitsSpec {
  std::uint64_t memory_bytes = 1ull << 30;  // 1 GiB; 0 = unlimited (needs unsafe)
  double cpu_cores = 0;                     // 0 = unlimited
  std::uint64_t pids = 256;
  std::uint64_t open_files = 1024;
  std::chrono::milliseconds wall_time{0};                  // per session; 0 = none
  std::chrono::milliseconds idle_timeout{30 * 60 * 1000};  // 30 min
  std::uint32_t max_sessions = 16;                         // concurrent, per tenant
  std::uint64_t max_prompt_bytes = 1u << 20;               // 1 MiB
};

struct SandboxSection {
  Backend backend = Backend::kNamespace;
  std::string image;  // docker backend only
  std::optional<std::uint32_t> run_as_uid, run_as_gid;
  std::vector<MountSpec> mounts;
  NetworkSpec network;
  LimitsSpec limits;
  bool seccomp = true;  // false needs unsafe
  std::vector<std::string> extra_denied_syscalls;
  bool unsafe = false;  // the opt-in for every dangerous setting in this policy
  std::chrono::milliseconds ask_timeout{5 * 60 * 1000};  // how long an `ask` waits; then deny
};

struct EnvSection {
  std::vector<std::string> pass;           // host variable names (globs) passed through
  std::map<std::string, std::string> set;  // fixed values; win over `pass`
};

enum class ToolVerdict { kAllow, kDeny, kAsk };

struct FileAccessSpec {
  bool confine_to_workdir = true;        // false needs unsafe
  std::vector<std::string> read_paths;   // extra absolute directories readable
  std::vector<std::string> write_paths;  // extra absolute directories writable
  std::vector<std::string> deny;         // globs on the path relative to WorkDir, e.g. "**/.env"
};

struct ToolsSection {
  std::vector<std::string> allow;  // tool-name globs; defaults in policies/default.yaml
  std::vector<std::string> ask;
  std::vector<std::string> deny;
  ToolVerdict default_verdict = ToolVerdict::kDeny;  // tools matching no list
  FileAccessSpec files;
};

enum class Level { kCritical, kHigh, kMedium, kLow };
enum class Action { kBlock, kAsk, kLog };

struct TeamRule {
  std::string id;
  std::string pattern;  // RE2, searched in each normalised simple command
  Level level = Level::kHigh;
  std::string category = "team";
  std::string message;
};

struct CommandsSection {
  bool firewall = true;                    // false needs unsafe
  bool check_prompts = false;              // also run user prompts through the firewall
  std::map<std::string, bool> categories;  // built-in categories switched on/off; absent = on
  std::vector<std::string> disable;        // built-in rule ids switched off
  std::map<Level, Action> actions = {{Level::kCritical, Action::kBlock},
                                     {Level::kHigh, Action::kBlock},
                                     {Level::kMedium, Action::kAsk},
                                     {Level::kLow, Action::kLog}};
  std::vector<TeamRule> rules;
  std::vector<std::string> allow;  // RE2: simple commands matching one fully skip built-ins
};

struct ClaudeCodeSettings {
  std::string model;
  std::vector<std::string> extra_args;
  std::string append_system_prompt;
};

struct ExecSettings {
  std::vector<std::string> allowed_commands;  // argv[0] values an exec session may start
};

struct ProviderSection {
  ClaudeCodeSettings claude_code;
  ExecSettings exec;
};

struct PolicySpec {
  std::string name;         // file stem, e.g. "team-a"
  std::string source_file;  // path it was loaded from; "<builtin>" for the embedded default
  std::string extends;      // parent name; empty for the root
  std::string description;
  SandboxSection sandbox;
  EnvSection env;
  ToolsSection tools;
  CommandsSection commands;
  ProviderSection provider;
};

const char* BackendName(Backend b);
const char* NetworkModeName(NetworkMode m);
const char* ToolVerdictName(ToolVerdict v);
const char* LevelName(Level l);
const char* ActionName(Action a);

}  // namespace hotplex::policies
