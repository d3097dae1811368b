// Host paths a tenant can influence, opened as root without following the
// tenant's links. A tenant owns the inside of its workspace (and of its
// session homes): any name there may be a symlink, and may become one between
// a check and a use (renameat2 RENAME_EXCHANGE). So such a path is resolved
// ONCE, beneath a trusted root directory fd, with no symlink and no magic link
// anywhere on the way, into a directory fd; everything after that (chown,
// chmod, mount) uses the fd, never the name.
//
//   root fd (trusted: admin config, parents owned by root)
//     └─ OpenBeneath / MakeDirsBeneath(relative) ─> pinned dir fd
//          └─ CloneMountTree(fd) ─> detached mount (open_tree), which the
//             sandbox child attaches with move_mount: nothing is resolved twice.
//
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) where
// the kernel has it (5.6+), otherwise a component-by-component
// openat(O_NOFOLLOW) walk with the same refusals.
// Thread-safety: free functions, reentrant.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::sandbox {

// Error.step of every refusal of a tenant-controlled path (bad syntax, too
// long, a symlink or other non-directory on the way, an escape). Callers map it
// to "bad request" and audit it; any other error is the host's fault.
inline constexpr const char* kHostPathRefused = "host path refused";
inline bool IsHostPathRefusal(const Error& e) { return e.step == kHostPathRefused; }

// Longest relative path (in bytes) accepted below a workspace root. Keeps the
// absolute path well under PATH_MAX (4096) whatever the root's length.
inline constexpr std::size_t kMaxRelativePathBytes = 1024;

// A relative path a tenant may name: not absolute, no "..", no NUL, each
// component at most NAME_MAX (255) bytes, the whole at most `max_bytes`.
// "" and "." mean the root itself. Refusals carry kHostPathRefused.
Status ValidateRelativePath(std::string_view relative,
                            std::size_t max_bytes = kMaxRelativePathBytes);

// Opens `relative` beneath `root_fd` following no symlink or magic link and
// never leaving the root. `flags`: open flags (O_CLOEXEC|O_NOFOLLOW are added),
// e.g. O_PATH|O_DIRECTORY or O_RDONLY|O_DIRECTORY.
Result<UniqueFd> OpenBeneath(int root_fd, std::string_view relative, int flags);
// The fallback of OpenBeneath for kernels without openat2: one openat(O_NOFOLLOW)
// per component. Public so that tests cover it on kernels that have openat2.
Result<UniqueFd> OpenBeneathByWalk(int root_fd, std::string_view relative, int flags);

// Owner and mode for directories made on a tenant's behalf; uid/gid
// (uid_t)-1 = leave as created (a daemon not running as root cannot chown).
struct DirOwner {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  mode_t mode = 0700;
};
// The tenant's host uid/gid when this process may give them away (root, and
// not to uid 0), else "leave as created"; mode 0700.
DirOwner TenantOwner(uid_t uid, gid_t gid);

// mkdir -p beneath `root_fd`, one mkdirat per missing component, each opened
// with O_NOFOLLOW right after (a link swapped in is refused, not followed);
// the directories it creates get `owner` (fchown/fchmod on their fds). Returns
// the leaf, opened O_RDONLY|O_DIRECTORY. Existing directories are not changed.
Result<UniqueFd> MakeDirsBeneath(int root_fd, std::string_view relative, const DirOwner& owner);

// Opens a trusted absolute directory (daemon config, every parent owned by
// root); the last component must not be a symlink. With `create` it is made
// (parents 0755, itself `mode`) when missing.
Result<UniqueFd> OpenTrustedDir(const std::string& path, bool create, mode_t mode = 0700);
// Gives the directory at `fd` exactly `owner` (uid, gid and mode), via the fd.
Status SetOwner(int fd, const DirOwner& owner);

// `path` (absolute) lexically below `root` (absolute, normalised): the part
// below it ("" for the root itself), or a kHostPathRefused error.
Result<std::string> RelativeBelow(const std::string& root, const std::string& path);

// Opens `root` (trusted) and makes/opens `path` (absolute, below root) beneath
// it: the one call the supervisor uses for workdirs and homes.
Result<UniqueFd> PinDirBelow(const std::string& root, const std::string& path,
                             const DirOwner& owner);

// A detached bind mount of the directory at `dir_fd` (open_tree with
// OPEN_TREE_CLONE), already nosuid+nodev (+rdonly when `read_only`). A child in
// another mount namespace attaches it with move_mount(MOVE_MOUNT_F_EMPTY_PATH).
// Needs Linux 5.12+ (mount_setattr); the error says so on older kernels.
Result<UniqueFd> CloneMountTree(int dir_fd, bool read_only);

// Removes `name` (a file, or a directory and everything in it) inside the
// directory `dir_fd`, as rm -rf would, but every level is opened with
// O_NOFOLLOW relative to its parent's fd: a link the tenant swaps in is
// unlinked, never followed. Depth is bounded (kMaxRemoveDepth levels).
inline constexpr int kMaxRemoveDepth = 128;
Status RemoveTreeBeneath(int dir_fd, const std::string& name);

// The path `fd` refers to now, from /proc/self/fd (for messages and checks only:
// never resolve it again as root).
std::string PathOfFd(int fd);

}  // namespace hotplex::sandbox
