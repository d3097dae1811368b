// HostileDaemon: the real `hotplexd serve` binary on ephemeral loopback ports
// with a fresh state dir and two tenants, `a` (uid 60001) and `b` (uid 60002),
// each with its own workspace root under <dir>/ws, on the policy `hostile`
// (the default policy, namespace backend, exec provider allowed /bin/sh).
// The tests act as a tenant would: over the API, and from inside a session by
// running shell commands through an exec session (`Sh`).
// Thread-safety: one owner thread; Call/Admin may be used from several threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {

struct HostileOptions {
  std::string backend = "namespace";  // policy sandbox.backend: namespace | docker
  std::string image;                  // docker image (backend docker)
  std::string policy_extra;           // YAML appended to the `hostile` policy
  std::string sandbox_extra;  // YAML lines under the policy's `sandbox:` key (2-space indent)
  std::string config_extra;   // YAML appended to hotplexd.yaml (top-level keys)
};

struct Reply {
  int status = 0;  // 0: no answer (connection refused, timeout)
  nlohmann::json body;
  std::string raw;
};

class HostileDaemon {
 public:
  static constexpr const char* kKeyA = "hostile-key-a";
  static constexpr const char* kKeyB = "hostile-key-b";
  static constexpr uid_t kUidA = 60001;
  static constexpr uid_t kUidB = 60002;

  explicit HostileDaemon(HostileOptions options = {});
  ~HostileDaemon();

  // Writes the config (first call) and starts `hotplexd serve`; an error text
  // (with the daemon's stderr) when it did not come up.
  std::optional<std::string> Start();
  // SIGTERM (or `signal`) and wait; the state dir stays for a restart.
  void Stop(int signal = 15);
  bool Running() const { return process_ != nullptr; }

  pid_t Pid() const;
  int ApiPort() const { return api_port_; }
  int AdminPort() const { return admin_port_; }
  const std::string& Dir() const { return dir_.Path(); }
  std::string StateDir() const { return dir_.Path() + "/state"; }
  std::string ConfigPath() const { return dir_.Path() + "/hotplexd.yaml"; }
  std::string WorkspaceOf(const std::string& tenant) const { return dir_.Path() + "/ws/" + tenant; }
  std::string AdminToken() const;
  std::string Stderr() const;
  static std::string Binary();

  // Tenant API call as tenant "a" or "b" (method GET/POST/DELETE).
  Reply Call(const std::string& method, const std::string& path,
             const nlohmann::json& body = nullptr, const std::string& tenant = "a") const;
  Reply Admin(const std::string& method, const std::string& path,
              const nlohmann::json& body = nullptr) const;

  // Creates an exec session running /bin/sh (stdin lines are commands) as
  // `tenant`, optionally on `workdir`; its id, or the failed reply.
  std::string CreateShell(const std::string& tenant, const std::string& workdir = "",
                          Reply* failed = nullptr) const;
  // Runs `command` in the shell session and returns its stdout+stderr lines
  // (joined with '\n') once it finished; nullopt on timeout.
  std::optional<std::string> Sh(const std::string& session, const std::string& command,
                                const std::string& tenant = "a",
                                std::chrono::seconds timeout = std::chrono::seconds(30)) const;

  // The daemon's resident set size (VmRSS) and open fd count.
  long RssKiB() const;
  int OpenFds() const;

 private:
  void WriteConfig() const;

  HostileOptions options_;
  TempDir dir_{"hotplex-hostile"};
  std::unique_ptr<PipedProcess> process_;
  int api_port_ = 0;
  int admin_port_ = 0;
  mutable int marker_ = 0;
};

}  // namespace hotplex::testing
