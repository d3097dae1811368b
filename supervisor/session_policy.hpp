// SessionPolicy: what the supervisor takes from a team's policy for one session
// (limits, sandbox settings, environment, provider settings) plus the tool
// governor that decides the agent's tool calls.
//
// The policy engine (policies/) owns parsing and validation; policy_adapter.cpp
// is the one place that turns a policies::CompiledPolicy into this struct, so
// the rest of the supervisor depends on plain data and a small interface.
// Thread-safety: immutable once built; shared as shared_ptr<const>.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/decision.hpp"
#include "policies/policy_spec.hpp"
#include "sandbox/backend.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::policies {
class CompiledPolicy;
}

namespace hotplex::supervisor {

// The policy engine's answer for one tool call, used as is.
using ToolVerdict = policies::Decision;

// Decides one tool call. Implementations must be thread-safe and fast (they run
// on the session's I/O path).
class ToolGovernor {
 public:
  virtual ~ToolGovernor() = default;
  virtual ToolVerdict DecideTool(std::string_view tool, const nlohmann::json& input,
                                 const std::string& workdir) const = 0;
};

// The sandbox limits a policy's `sandbox.limits` asks for: the one conversion.
sandbox::Limits ToSandboxLimits(const policies::LimitsSpec& limits);

struct SessionPolicy {
  std::string name;
  // The compiled policy this was derived from; null for hand-built policies (tests).
  std::shared_ptr<const policies::CompiledPolicy> compiled;
  std::shared_ptr<const ToolGovernor> governor;

  // Admission and lifetime. Every default is the policy file's own
  // (policies/policy_spec.hpp), so a hand-built policy means the same as an empty file.
  std::uint32_t max_sessions = policies::LimitsSpec{}.max_sessions;  // per tenant
  std::uint64_t max_prompt_bytes = policies::LimitsSpec{}.max_prompt_bytes;
  std::chrono::milliseconds idle_timeout = policies::LimitsSpec{}.idle_timeout;
  std::chrono::milliseconds ask_timeout = policies::SandboxSection{}.ask_timeout;

  // Sandbox.
  // nullopt: the policy names a backend this host cannot run (docker, job-object).
  std::optional<sandbox::BackendKind> backend = sandbox::BackendKind::kNamespace;
  std::string backend_name = "namespace";
  std::string image;  // docker backend: the policy's sandbox.image (empty = the backend default)
  // Memory, pids, cpu, open files, wall time (per process lifetime).
  sandbox::Limits limits = ToSandboxLimits(policies::LimitsSpec{});
  sandbox::NetworkMode network = sandbox::NetworkMode::kNone;
  bool egress = false;  // network mode `egress` (loopback-only namespace + proxy)
  // Egress only (supervisor/egress/EGRESS.md): host[:port] patterns and host:port forwards.
  std::vector<std::string> allow_domains;
  std::vector<std::string> deny_domains;
  std::vector<std::string> forwards;
  std::vector<sandbox::BindMount> mounts;
  bool seccomp = policies::SandboxSection{}.seccomp;
  std::vector<std::string> extra_denied_syscalls;
  std::optional<std::uint32_t> run_as_uid;
  std::optional<std::uint32_t> run_as_gid;

  // Environment: only these reach the sandbox.
  std::vector<std::string> env_pass;           // names or globs of daemon variables passed
  std::map<std::string, std::string> env_set;  // fixed values

  // Providers.
  std::string claude_model;
  std::vector<std::string> claude_extra_args;
  std::string claude_append_system_prompt;
  std::vector<std::string> exec_allowed_commands;  // argv[0] values (basename or full path)
};

using SessionPolicyPtr = std::shared_ptr<const SessionPolicy>;

// Where the supervisor looks policies up by team name. Thread-safe.
class PolicySource {
 public:
  virtual ~PolicySource() = default;
  // nullptr when the team has no (valid) policy.
  virtual SessionPolicyPtr Get(std::string_view team) const = 0;
};

}  // namespace hotplex::supervisor
