#include "supervisor/daemon_config.hpp"

#include "supervisor/audit/audit_witness.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "common/units.hpp"
#include "policies/schema_reader.hpp"

namespace hotplex::supervisor {
namespace {

// Collects every problem with its position, so that one run reports them all.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void Fail(const YAML::Node& node, const std::string& path, const std::string& what) {
    const auto mark = node.Mark();
    std::ostringstream out;
    out << file_ << ":" << mark.line + 1 << ":" << mark.column + 1 << ": " << path << ": " << what;
    errors_.push_back(out.str());
  }
  bool Ok() const { return errors_.empty(); }
  std::string Joined() const {
    std::string out;
    for (const auto& e : errors_) out += (out.empty() ? "" : "\n") + e;
    return out;
  }

  using Handler = std::function<void(const YAML::Node&, const std::string&)>;
  // Visits a mapping, calling the handler of each known key; others are errors.
  void Map(const YAML::Node& node, const std::string& path,
           const std::map<std::string, Handler>& keys) {
    if (!node.IsMap()) return Fail(node, path, "expected a mapping");
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      const std::string child = path.empty() ? key : path + "." + key;
      auto it = keys.find(key);
      if (it == keys.end()) {
        Fail(kv.first, child, UnknownKey(key, keys));
        continue;
      }
      it->second(kv.second, child);
    }
  }

  // "unknown key; did you mean 'listen'?" with the policies' suggestion rule.
  static std::string UnknownKey(const std::string& key,
                                const std::map<std::string, Handler>& keys) {
    std::vector<std::string_view> known;
    for (const auto& [name, handler] : keys) known.push_back(name);
    const std::string suggestion = policies::DidYouMean(key, known);
    return suggestion.empty() ? "unknown key" : "unknown key; did you mean '" + suggestion + "'?";
  }

  void Bool(const YAML::Node& node, const std::string& path, bool& out) {
    std::string text;
    if (!Scalar(node, path, text)) return;
    if (text != "true" && text != "false") return Fail(node, path, "expected true or false");
    out = text == "true";
  }
  bool Scalar(const YAML::Node& node, const std::string& path, std::string& out) {
    if (!node.IsScalar()) {
      Fail(node, path, "expected a string");
      return false;
    }
    out = node.Scalar();
    return true;
  }
  template <class T>
  void Unsigned(const YAML::Node& node, const std::string& path, T& out, std::uint64_t max) {
    std::string text;
    if (!Scalar(node, path, text)) return;
    std::uint64_t value = 0;
    std::size_t used = 0;
    try {
      value = std::stoull(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty() || text[0] == '-' || value > max) {
      return Fail(node, path, "expected an integer in 0.." + std::to_string(max));
    }
    out = static_cast<T>(value);
  }
  // Unsigned, and 0 is refused (a cap of 0 would refuse everything).
  template <class T>
  void Positive(const YAML::Node& node, const std::string& path, T& out, std::uint64_t max) {
    T value = out;
    Unsigned(node, path, value, max);
    if (value == 0) return Fail(node, path, "expected an integer in 1.." + std::to_string(max));
    out = value;
  }
  template <class T>
  void Size(const YAML::Node& node, const std::string& path, T& out) {
    std::string text;
    if (!Scalar(node, path, text)) return;
    auto size = ParseByteSize(text);
    if (!size || *size == 0) return Fail(node, path, "expected a positive size like 2MiB");
    out = static_cast<T>(*size);
  }
  void Duration(const YAML::Node& node, const std::string& path, std::chrono::milliseconds& out) {
    std::string text;
    if (!Scalar(node, path, text)) return;
    auto d = ParseDuration(text);
    if (!d) return Fail(node, path, d.error().Describe());
    out = *d;
  }
  void Listen(const YAML::Node& node, const std::string& path, ListenAddress& out) {
    std::string text;
    if (!Scalar(node, path, text)) return;
    auto addr = ParseListenAddress(text);
    if (!addr) return Fail(node, path, addr.error().Describe());
    out = *addr;
  }
  void StringList(const YAML::Node& node, const std::string& path, std::vector<std::string>& out) {
    if (!node.IsSequence()) return Fail(node, path, "expected a list of strings");
    out.clear();
    for (std::size_t i = 0; i < node.size(); ++i) {
      std::string s;
      if (Scalar(node[i], path + "[" + std::to_string(i) + "]", s)) out.push_back(s);
    }
  }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

bool ValidTenantId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

bool ValidDigest(const std::string& hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void ReadMounts(Reader& r, const YAML::Node& node, const std::string& path,
                std::vector<sandbox::BindMount>& out) {
  std::vector<std::string> items;
  r.StringList(node, path, items);
  for (const auto& item : items) {
    const auto colon = item.find(':');
    sandbox::BindMount m;
    m.source = item.substr(0, colon);
    if (colon != std::string::npos) m.target = item.substr(colon + 1);
    if (m.source.empty() || m.source[0] != '/') {
      r.Fail(node, path, "mount source '" + m.source + "' must be an absolute path");
    }
    out.push_back(std::move(m));
  }
}

constexpr std::uint64_t kMaxWarmPool = 1024;

void ReadDocker(Reader& r, const YAML::Node& node, const std::string& path, DockerSettings& d) {
  r.Map(node, path,
        {
            {"instance",
             [&](auto& n, auto& p) {
               if (r.Scalar(n, p, d.instance) && !ValidTenantId(d.instance)) {
                 r.Fail(n, p, "expected [a-z0-9_-]{1,64}");
               }
             }},
            {"reconcile",
             [&](auto& n, auto& p) {
               std::string mode;
               if (!r.Scalar(n, p, mode)) return;
               if (mode == "remove") {
                 d.reconcile = sandbox::DockerReconcile::kRemove;
               } else if (mode == "adopt") {
                 d.reconcile = sandbox::DockerReconcile::kAdopt;
               } else {
                 r.Fail(n, p, "expected remove or adopt");
               }
             }},
            {"shutdown",
             [&](auto& n, auto& p) {
               std::string mode;
               if (!r.Scalar(n, p, mode)) return;
               if (mode == "stop" || mode == "detach") {
                 d.detach_on_shutdown = mode == "detach";
               } else {
                 r.Fail(n, p, "expected stop or detach");
               }
             }},
        });
  if (d.detach_on_shutdown && d.reconcile != sandbox::DockerReconcile::kAdopt) {
    r.Fail(node["shutdown"], path + ".shutdown",
           "detach leaves agents for the next daemon to take back: it needs reconcile: adopt");
  }
}

Tenant ReadTenant(Reader& r, const YAML::Node& node, const std::string& path) {
  Tenant t;
  t.team = "default";
  t.uid = kDefaultTenantUid;
  t.gid = kDefaultTenantUid;
  bool has_id = false;
  r.Map(node, path,
        {
            {"id", [&](auto& n, auto& p) { has_id = r.Scalar(n, p, t.id); }},
            {"team", [&](auto& n, auto& p) { r.Scalar(n, p, t.team); }},
            {"api_key_sha256", [&](auto& n, auto& p) { r.StringList(n, p, t.key_hashes); }},
            {"workspace_root", [&](auto& n, auto& p) { r.Scalar(n, p, t.workspace_root); }},
            {"uid", [&](auto& n, auto& p) { r.Unsigned(n, p, t.uid, 0xfffffffe); }},
            {"gid", [&](auto& n, auto& p) { r.Unsigned(n, p, t.gid, 0xfffffffe); }},
            {"warm_pool", [&](auto& n, auto& p) { r.Unsigned(n, p, t.warm_pool, kMaxWarmPool); }},
        });
  if (!node.IsMap()) return t;
  if (!has_id || !ValidTenantId(t.id)) r.Fail(node, path + ".id", "expected [a-z0-9_-]{1,64}");
  if (t.key_hashes.empty()) r.Fail(node, path + ".api_key_sha256", "at least one key digest");
  for (const auto& h : t.key_hashes) {
    if (!ValidDigest(h)) r.Fail(node, path + ".api_key_sha256", "not a lowercase hex SHA-256");
  }
  if (t.uid == 0 || t.gid == 0) r.Fail(node, path, "uid/gid 0 (host root) is refused");
  return t;
}

// The byte bounds must nest, or a bound would not hold (api/CONFIG.md "Memory
// per session, worst case"): a cut line is held raw and JSON-encoded in the
// ring, and a subscriber's queue must take a full replay of the ring.
void CheckMemoryBounds(Reader& r, const YAML::Node& root, const DaemonConfig& c) {
  const auto& e = c.events;
  if (e.max_line_bytes > e.ring_bytes / 2) {
    r.Fail(
        root, "events.max_line_bytes",
        std::to_string(e.max_line_bytes) + " bytes is more than half of events.ring_bytes (" +
            std::to_string(e.ring_bytes) +
            "): the ring holds a line raw and encoded; lower max_line_bytes or raise ring_bytes");
  }
  if (e.subscriber_queue_bytes < e.ring_bytes) {
    r.Fail(root, "events.subscriber_queue_bytes",
           std::to_string(e.subscriber_queue_bytes) + " bytes is less than events.ring_bytes (" +
               std::to_string(e.ring_bytes) +
               "): a client replaying the ring would be cut off; raise subscriber_queue_bytes");
  }
  if (c.transcripts.session_quota > c.transcripts.tenant_quota) {
    r.Fail(root, "transcripts.session_quota",
           "is larger than transcripts.tenant_quota; lower it or raise tenant_quota");
  }
}

void ReadRoot(Reader& r, const YAML::Node& root, DaemonConfig& c) {
  r.Map(
      root, "",
      {
          {"listen", [&](auto& n, auto& p) { r.Listen(n, p, c.api); }},
          {"admin_listen", [&](auto& n, auto& p) { r.Listen(n, p, c.admin); }},
          {"admin_tls",
           [&](auto& n, auto& p) {
             r.Map(n, p,
                   {{"cert", [&](auto& n2, auto& p2) { r.Scalar(n2, p2, c.admin_tls.cert); }},
                    {"key", [&](auto& n2, auto& p2) { r.Scalar(n2, p2, c.admin_tls.key); }}});
           }},
          {"admin_insecure", [&](auto& n, auto& p) { r.Bool(n, p, c.admin_tls.insecure); }},
          {"state_dir", [&](auto& n, auto& p) { r.Scalar(n, p, c.state_dir); }},
          {"policy_dir", [&](auto& n, auto& p) { r.Scalar(n, p, c.policy_dir); }},
          {"threads", [&](auto& n, auto& p) { r.Unsigned(n, p, c.threads, 256); }},
          {"shutdown_grace", [&](auto& n, auto& p) { r.Duration(n, p, c.shutdown_grace); }},
          {"http",
           [&](auto& n, auto& p) {
             r.Map(
                 n, p,
                 {
                     {"body_limit", [&](auto& n2, auto& p2) { r.Size(n2, p2, c.http.body_limit); }},
                     {"request_timeout",
                      [&](auto& n2, auto& p2) { r.Duration(n2, p2, c.http.request_timeout); }},
                     {"websocket_message_limit",
                      [&](auto& n2, auto& p2) { r.Size(n2, p2, c.http.websocket_message_limit); }},
                     {"sse_keepalive",
                      [&](auto& n2, auto& p2) { r.Duration(n2, p2, c.http.sse_keepalive); }},
                     {"max_connections",
                      [&](auto& n2, auto& p2) {
                        r.Unsigned(n2, p2, c.http.max_connections, 1u << 20);
                      }},
                     {"max_connections_per_ip",
                      [&](auto& n2, auto& p2) {
                        r.Positive(n2, p2, c.http.max_connections_per_ip, 1u << 20);
                      }},
                     {"admin_max_connections",
                      [&](auto& n2, auto& p2) {
                        r.Positive(n2, p2, c.http.admin_max_connections, 1u << 20);
                      }},
                     {"admin_max_connections_per_ip",
                      [&](auto& n2, auto& p2) {
                        r.Positive(n2, p2, c.http.admin_max_connections_per_ip, 1u << 20);
                      }},
                 });
           }},
          {"audit",
           [&](auto& n, auto& p) {
             r.Map(
                 n, p,
                 {
                     {"retention",
                      [&](auto& n2, auto& p2) { r.Duration(n2, p2, c.audit.retention); }},
                     {"max_bytes",
                      [&](auto& n2, auto& p2) {
                        if (n2.IsScalar() && n2.Scalar() == "0") return;  // 0 = no limit
                        r.Size(n2, p2, c.audit.max_bytes);
                      }},
                     {"archive_dir",
                      [&](auto& n2, auto& p2) { r.Scalar(n2, p2, c.audit.archive_dir); }},
                     {"record_prompt_text",
                      [&](auto& n2, auto& p2) { r.Bool(n2, p2, c.audit.record_prompt_text); }},
                     {"queue_limit",
                      [&](auto& n2, auto& p2) {
                        r.Unsigned(n2, p2, c.audit.queue_limit, 1u << 24);
                      }},
                     {"key_file", [&](auto& n2, auto& p2) { r.Scalar(n2, p2, c.audit.key_file); }},
                     {"witness",
                      [&](auto& n2, auto& p2) {
                        if (!r.Scalar(n2, p2, c.audit.witness)) return;
                        if (!ParseWitnessMode(c.audit.witness))
                          r.Fail(n2, p2, "expected file, syslog or none");
                      }},
                     {"witness_file",
                      [&](auto& n2, auto& p2) { r.Scalar(n2, p2, c.audit.witness_file); }},
                     {"checkpoint_every",
                      [&](auto& n2, auto& p2) {
                        r.Positive(n2, p2, c.audit.checkpoint_every, 1u << 24);
                      }},
                     {"checkpoint_interval",
                      [&](auto& n2, auto& p2) { r.Duration(n2, p2, c.audit.checkpoint_interval); }},
                     {"auth_failure_window",
                      [&](auto& n2, auto& p2) { r.Duration(n2, p2, c.audit.auth_failure_window); }},
                     {"auth_failure_sources",
                      [&](auto& n2, auto& p2) {
                        r.Positive(n2, p2, c.audit.auth_failure_sources, 1u << 20);
                      }},
                 });
           }},
          {"events",
           [&](auto& n, auto& p) {
             r.Map(
                 n, p,
                 {
                     {"ring_size",
                      [&](auto& n2, auto& p2) {
                        r.Unsigned(n2, p2, c.events.ring_size, 1u << 24);
                      }},
                     {"ring_bytes",
                      [&](auto& n2, auto& p2) { r.Size(n2, p2, c.events.ring_bytes); }},
                     {"subscriber_queue",
                      [&](auto& n2, auto& p2) {
                        r.Unsigned(n2, p2, c.events.subscriber_queue, 1u << 24);
                      }},
                     {"subscriber_queue_bytes",
                      [&](auto& n2, auto& p2) { r.Size(n2, p2, c.events.subscriber_queue_bytes); }},
                     {"max_line_bytes",
                      [&](auto& n2, auto& p2) { r.Size(n2, p2, c.events.max_line_bytes); }},
                 });
           }},
          {"transcripts",
           [&](auto& n, auto& p) {
             r.Map(n, p,
                   {
                       {"session_quota",
                        [&](auto& n2, auto& p2) { r.Size(n2, p2, c.transcripts.session_quota); }},
                       {"tenant_quota",
                        [&](auto& n2, auto& p2) { r.Size(n2, p2, c.transcripts.tenant_quota); }},
                       {"queue_bytes",
                        [&](auto& n2, auto& p2) { r.Size(n2, p2, c.transcripts.queue_bytes); }},
                   });
           }},
          {"claude_code",
           [&](auto& n, auto& p) {
             r.Map(
                 n, p,
                 {{"command", [&](auto& n2, auto& p2) { r.StringList(n2, p2, c.claude_command); }},
                  {"mount_install_dir",
                   [&](auto& n2, auto& p2) { r.Bool(n2, p2, c.claude_mount_install_dir); }}});
           }},
          {"sandbox",
           [&](auto& n, auto& p) {
             r.Map(n, p, {{"extra_mounts", [&](auto& n2, auto& p2) {
                             ReadMounts(r, n2, p2, c.extra_mounts);
                           }}});
           }},
          {"docker", [&](auto& n, auto& p) { ReadDocker(r, n, p, c.docker); }},
          {"tenants",
           [&](auto& n, auto& p) {
             if (!n.IsSequence()) return r.Fail(n, p, "expected a list of tenants");
             for (std::size_t i = 0; i < n.size(); ++i) {
               c.tenants.push_back(ReadTenant(r, n[i], p + "[" + std::to_string(i) + "]"));
             }
           }},
      });
  if (c.claude_command.empty()) r.Fail(root, "claude_code.command", "must not be empty");
  CheckMemoryBounds(r, root, c);
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return MakeError("expected HOST:PORT, e.g. 127.0.0.1:8080");
  }
  ListenAddress addr;
  addr.host = std::string(text.substr(0, colon));
  const std::string port(text.substr(colon + 1));
  unsigned long value = 0;
  std::size_t used = 0;
  try {
    value = std::stoul(port, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (port.empty() || used != port.size() || value > 65535) {
    return MakeError("port must be 0..65535 in '" + std::string(text) + "'");
  }
  addr.port = static_cast<std::uint16_t>(value);
  return addr;
}

Result<DaemonConfig> ParseDaemonConfig(const std::string& yaml_text, const std::string& file_name) {
  DaemonConfig config;
  config.source_file = file_name;
  Reader reader(file_name);
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsNull()) ReadRoot(reader, root, config);
  } catch (const YAML::Exception& e) {
    return MakeError(file_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!reader.Ok()) return MakeError(reader.Joined());
  return config;
}

Result<DaemonConfig> LoadDaemonConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError("cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseDaemonConfig(text.str(), path);
}

}  // namespace hotplex::supervisor
