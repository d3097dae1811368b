// State dir: the layout of the daemon's state directory and the rule for the
// files in it that the daemon trusts (its keys, its token, its databases).
//
// Layout (PrepareStateDir creates it and enforces the modes at every start):
//   <state_dir>/                      0711 daemon  sandbox uids traverse it to their dirs
//     workspaces/ homes/              0711 daemon  parents of the tenants' dirs:
//       <tenant>/ <session>/          0700 owned by the tenant's uid
//     transcripts/ audit-archive/     0700 daemon
//     admin-token api-key audit-key   0600 daemon  refused when looser
//     sessions.db audit.db +-wal/-shm 0600 daemon  read bits of others removed
//
// The trust rule: a file the daemon takes a secret or its state from is not a
// symbolic link (opened O_NOFOLLOW), is owned by the daemon's euid and is
// writable by nobody else — checked with fstat on the opened fd, so the file
// checked is the file used. Once the state dir itself passes the rule only the
// daemon's user can replace its entries, which is why a database may then be
// opened by name (SQLite needs the name for its -wal and -shm files).
// Thread-safety: free functions; PrepareStateDir runs before serving.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "supervisor/daemon_config.hpp"

namespace hotplex::supervisor {

enum class DaemonFileKind {
  kSecret,     // key or token: a regular file, 0600 or tighter
  kDatabase,   // a regular file nobody else can write (read bits are removed at start)
  kDirectory,  // a directory nobody else can write
};

inline constexpr mode_t kStateDirMode = 0711;     // state dir, workspaces/, homes/
inline constexpr mode_t kPrivateDirMode = 0700;   // every other directory
inline constexpr mode_t kPrivateFileMode = 0600;  // keys, token, databases

// Checks the open `fd` of `path` against the trust rule for `kind`. The error
// names the path, what is wrong and the fix ("chown root:root P && chmod 0600 P").
hotplex::Status CheckDaemonFd(int fd, const std::string& path, DaemonFileKind kind);

// Opens `path` with `flags` | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
// and checks the fd with CheckDaemonFd: the fd to use, nullopt when the file
// does not exist, an error (naming the file and the fix) for a symbolic link or
// a file the rule refuses. Other daemon files (e.g. the audit key) use this too.
Result<std::optional<UniqueFd>> OpenDaemonFile(const std::string& path, DaemonFileKind kind,
                                               int flags = 0);

// What `hotplexd doctor` reports of a state dir, changing nothing: each file
// the start would refuse (refused), or whose mode is wider than the layout's
// (the start narrows it).
struct StateDirFinding {
  std::string path;
  std::string what;  // "has mode 0666: writable by group or others"
  std::string fix;
  bool refused = false;
};
// Empty when the state dir does not exist yet or is as the layout wants it.
std::vector<StateDirFinding> InspectStateDir(const std::string& state_dir);

// Creates the state dir (missing parents with the default mode) if needed,
// checks it and every trusted file in it (refusing to go on with one the rule
// refuses), sets the layout's modes, creates workspaces/ and homes/, and takes
// group/other bits from the tenants' dirs in them.
hotplex::Status PrepareStateDir(const std::string& state_dir);

// Makes each tenant's workspace root exist before any session: missing
// parents 0711 (the sandbox uid traverses them), the root 0700 owned by the
// tenant. An existing root owned by the tenant loses its group/other bits; one
// under <state_dir>/workspaces still owned by the daemon is handed to the tenant.
hotplex::Status PrepareWorkspaceRoots(const DaemonConfig& config);

}  // namespace hotplex::supervisor
