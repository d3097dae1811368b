// The local tenant: what `hotplexd serve` runs with when the config names no
// tenants. Its API key is generated on first start, written once to
// <state_dir>/api-key (mode 0600, readable by the operator) and only its
// SHA-256 is kept in memory. Also fills tenant defaults (workspace roots).
// Thread-safety: free functions; call them before serving.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "supervisor/daemon_config.hpp"
#include "supervisor/state_dir.hpp"  // PrepareStateDir

namespace hotplex::supervisor {

struct LocalKey {
  std::string key;
  std::string path;
  bool generated = false;  // true only on the start that created it: print it then
};

Result<LocalKey> EnsureLocalApiKey(const std::string& state_dir);
// Reads the key in `path`, or generates one ("<prefix>" + 43 base64url
// characters) and writes it there with mode 0600. Used for the tenant key and
// the admin token. An existing file is opened O_NOFOLLOW and must pass the
// state dir's trust rule for secrets (ours, 0600, no link): the daemon refuses
// a token someone else could have written or read.
Result<LocalKey> EnsureKeyFile(const std::string& path, std::string_view prefix);
// With no configured tenant, adds the local one (team "default") holding `key`.
// Gives every tenant without a workspace root <state_dir>/workspaces/<id>.
hotplex::Status CompleteTenants(DaemonConfig& config, const LocalKey* local_key);

}  // namespace hotplex::supervisor
