#include "policies/policy_yaml_writer.hpp"

#include <yaml-cpp/yaml.h>

namespace hotplex::policies {
namespace {

std::string SizeText(std::uint64_t bytes) {
  constexpr std::pair<std::uint64_t, const char*> kUnits[] = {
      {1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  for (const auto& [unit, name] : kUnits) {
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + name;
  }
  return std::to_string(bytes);
}

std::string DurationText(std::chrono::milliseconds d) {
  const auto ms = d.count();
  constexpr std::pair<long long, const char*> kUnits[] = {
      {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (const auto& [unit, name] : kUnits) {
    if (ms != 0 && ms % unit == 0) return std::to_string(ms / unit) + name;
  }
  return ms == 0 ? "0s" : std::to_string(ms) + "ms";
}

void List(YAML::Emitter& out, const char* key, const std::vector<std::string>& items) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& i : items) out << i;
  out << YAML::EndSeq;
}

void Sandbox(YAML::Emitter& out, const SandboxSection& s) {
  out << YAML::Key << "sandbox" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "backend" << YAML::Value << BackendName(s.backend);
  if (!s.image.empty()) out << YAML::Key << "image" << YAML::Value << s.image;
  if (s.run_as_uid) out << YAML::Key << "run_as_uid" << YAML::Value << *s.run_as_uid;
  if (s.run_as_gid) out << YAML::Key << "run_as_gid" << YAML::Value << *s.run_as_gid;
  out << YAML::Key << "mounts" << YAML::Value << YAML::BeginSeq;
  for (const auto& m : s.mounts) {
    out << YAML::BeginMap << YAML::Key << "source" << YAML::Value << m.source;
    if (!m.target.empty()) out << YAML::Key << "target" << YAML::Value << m.target;
    out << YAML::Key << "mode" << YAML::Value << (m.writable ? "rw" : "ro") << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "network" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "mode" << YAML::Value << NetworkModeName(s.network.mode);
  List(out, "allow_domains", s.network.allow_domains);
  List(out, "deny_domains", s.network.deny_domains);
  List(out, "forwards", s.network.forwards);
  out << YAML::EndMap;
  const LimitsSpec& l = s.limits;
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "memory" << YAML::Value << SizeText(l.memory_bytes);
  out << YAML::Key << "cpu" << YAML::Value << l.cpu_cores;
  out << YAML::Key << "pids" << YAML::Value << l.pids;
  out << YAML::Key << "open_files" << YAML::Value << l.open_files;
  out << YAML::Key << "wall_time" << YAML::Value << DurationText(l.wall_time);
  out << YAML::Key << "idle_timeout" << YAML::Value << DurationText(l.idle_timeout);
  out << YAML::Key << "max_sessions" << YAML::Value << l.max_sessions;
  out << YAML::Key << "max_prompt_bytes" << YAML::Value << SizeText(l.max_prompt_bytes);
  out << YAML::EndMap;
  out << YAML::Key << "seccomp" << YAML::Value << s.seccomp;
  List(out, "extra_denied_syscalls", s.extra_denied_syscalls);
  out << YAML::Key << "unsafe" << YAML::Value << s.unsafe;
  out << YAML::Key << "ask_timeout" << YAML::Value << DurationText(s.ask_timeout);
  out << YAML::EndMap;
}

void Tools(YAML::Emitter& out, const ToolsSection& t) {
  out << YAML::Key << "tools" << YAML::Value << YAML::BeginMap;
  List(out, "allow", t.allow);
  List(out, "ask", t.ask);
  List(out, "deny", t.deny);
  out << YAML::Key << "default" << YAML::Value << ToolVerdictName(t.default_verdict);
  out << YAML::Key << "files" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "confine_to_workdir" << YAML::Value << t.files.confine_to_workdir;
  List(out, "read_paths", t.files.read_paths);
  List(out, "write_paths", t.files.write_paths);
  List(out, "deny", t.files.deny);
  out << YAML::EndMap << YAML::EndMap;
}

void Commands(YAML::Emitter& out, const CommandsSection& c) {
  out << YAML::Key << "commands" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "firewall" << YAML::Value << c.firewall;
  out << YAML::Key << "check_prompts" << YAML::Value << c.check_prompts;
  out << YAML::Key << "categories" << YAML::Value << YAML::BeginMap;
  for (const auto& [cat, on] : c.categories) out << YAML::Key << cat << YAML::Value << on;
  out << YAML::EndMap;
  List(out, "disable", c.disable);
  out << YAML::Key << "actions" << YAML::Value << YAML::BeginMap;
  for (const auto& [level, action] : c.actions)
    out << YAML::Key << LevelName(level) << YAML::Value << ActionName(action);
  out << YAML::EndMap;
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : c.rules) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << r.id << YAML::Key << "pattern"
        << YAML::Value << r.pattern << YAML::Key << "level" << YAML::Value << LevelName(r.level)
        << YAML::Key << "category" << YAML::Value << r.category << YAML::Key << "message"
        << YAML::Value << r.message << YAML::EndMap;
  }
  out << YAML::EndSeq;
  List(out, "allow", c.allow);
  out << YAML::EndMap;
}

void Provider(YAML::Emitter& out, const ProviderSection& p) {
  out << YAML::Key << "provider" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "claude_code" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "model" << YAML::Value << p.claude_code.model;
  List(out, "extra_args", p.claude_code.extra_args);
  out << YAML::Key << "append_system_prompt" << YAML::Value << p.claude_code.append_system_prompt;
  out << YAML::EndMap;
  out << YAML::Key << "exec" << YAML::Value << YAML::BeginMap;
  List(out, "allowed_commands", p.exec.allowed_commands);
  out << YAML::EndMap << YAML::EndMap;
}

}  // namespace

std::string PolicyToYaml(const PolicySpec& spec) {
  YAML::Emitter out;
  out << YAML::Comment("effective policy '" + spec.name + "' from " + spec.source_file +
                       (spec.extends.empty() ? std::string() : " (extends " + spec.extends + ")"));
  out << YAML::BeginMap;
  out << YAML::Key << "extends" << YAML::Value << "none";
  if (!spec.description.empty())
    out << YAML::Key << "description" << YAML::Value << spec.description;
  Sandbox(out, spec.sandbox);
  out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
  List(out, "pass", spec.env.pass);
  out << YAML::Key << "set" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : spec.env.set) out << YAML::Key << k << YAML::Value << v;
  out << YAML::EndMap << YAML::EndMap;
  Tools(out, spec.tools);
  Commands(out, spec.commands);
  Provider(out, spec.provider);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace hotplex::policies
