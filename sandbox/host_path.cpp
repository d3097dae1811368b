#include "sandbox/host_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dirent.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <vector>

namespace hotplex::sandbox {
namespace {

namespace fs = std::filesystem;

Error Refused(std::string message, int err) {
  return Error{std::move(message), err, kHostPathRefused};
}

// The components of a validated relative path, "" and "." dropped.
std::vector<std::string_view> Components(std::string_view relative) {
  std::vector<std::string_view> parts;
  while (!relative.empty()) {
    const std::size_t slash = relative.find('/');
    const std::string_view part = relative.substr(0, slash);
    if (!part.empty() && part != ".") parts.push_back(part);
    if (slash == std::string_view::npos) break;
    relative.remove_prefix(slash + 1);
  }
  return parts;
}

// Whether an open/mkdir errno means "the tenant's path is not acceptable"
// rather than "the host failed".
bool IsRefusalErrno(int err) {
  return err == ELOOP || err == EXDEV || err == ENOTDIR || err == ENAMETOOLONG || err == EMLINK;
}

Error PathError(std::string_view relative, std::string_view at, int err) {
  std::string what = "'" + std::string(relative) + "'";
  if (!at.empty() && at != relative) what += " (at '" + std::string(at) + "')";
  if (err == ELOOP || err == ENOTDIR) {
    return Refused(what +
                       " is or passes through a symlink or a non-directory; links are not "
                       "followed below a workspace: name the real directory",
                   err);
  }
  if (IsRefusalErrno(err)) return Refused(what + " leaves its root or is too long", err);
  return Error{"open beneath " + what, err, "open beneath"};
}

Error OpenError(std::string_view relative, std::string_view at) {
  return PathError(relative, at, errno);
}

long OpenAt2(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd;
  // EAGAIN: a concurrent rename somewhere in the tree; the lookup is retried.
  int tries = 0;
  do {
    fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN && ++tries < 16);
  return fd;
}

// O_PATH|O_NOFOLLOW opens a trailing symlink itself instead of failing: such a
// result is refused too, so that no caller can end up holding a link.
Result<UniqueFd> RefuseLink(UniqueFd fd, std::string_view relative) {
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0) return ErrnoError("fstat", std::string(relative));
  if (S_ISLNK(st.st_mode)) {
    return PathError(relative, {}, ELOOP);
  }
  return fd;
}

}  // namespace

Status ValidateRelativePath(std::string_view relative, std::size_t max_bytes) {
  if (relative.size() > max_bytes) {
    return Refused("the path is " + std::to_string(relative.size()) + " bytes; the limit is " +
                       std::to_string(max_bytes) + " bytes: use a shorter path",
                   ENAMETOOLONG);
  }
  if (relative.find('\0') != std::string_view::npos)
    return Refused("the path contains a NUL byte", EINVAL);
  if (!relative.empty() && relative.front() == '/') {
    return Refused("'" + std::string(relative) + "' is absolute; give a path relative to the root",
                   EXDEV);
  }
  for (std::string_view part : Components(relative)) {
    if (part == "..") {
      return Refused("'" + std::string(relative) + "' contains '..'; it must stay below its root",
                     EXDEV);
    }
    if (part.size() > NAME_MAX) {
      return Refused("a component of the path is " + std::to_string(part.size()) +
                         " bytes; the limit is " + std::to_string(NAME_MAX) + " bytes",
                     ENAMETOOLONG);
    }
  }
  return {};
}

Result<UniqueFd> OpenBeneathByWalk(int root_fd, std::string_view relative, int flags) {
  HOTPLEX_TRY_STATUS(ValidateRelativePath(relative, PATH_MAX));
  const std::vector<std::string_view> parts = Components(relative);
  const int final_flags = flags | O_CLOEXEC | O_NOFOLLOW;
  if (parts.empty()) {
    // The root itself: reopen it with the caller's flags.
    const int fd = ::openat(root_fd, ".", final_flags);
    if (fd < 0) return OpenError(relative, ".");
    return RefuseLink(UniqueFd(fd), relative);
  }
  UniqueFd current;
  int at = root_fd;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string name(parts[i]);
    const bool last = i + 1 == parts.size();
    // Intermediate components are walked as O_PATH directories, never followed.
    const int step_flags = last ? final_flags : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    const int fd = ::openat(at, name.c_str(), step_flags);
    if (fd < 0) return OpenError(relative, name);
    current.Reset(fd);
    at = current.Get();
  }
  return RefuseLink(std::move(current), relative);
}

Result<UniqueFd> OpenBeneath(int root_fd, std::string_view relative, int flags) {
  HOTPLEX_TRY_STATUS(ValidateRelativePath(relative, PATH_MAX));
  const std::string path = relative.empty() ? std::string(".") : std::string(relative);
  const long fd = OpenAt2(root_fd, path, flags | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) return RefuseLink(UniqueFd(static_cast<int>(fd)), relative);
  if (errno == ENOSYS) return OpenBeneathByWalk(root_fd, relative, flags);
  return OpenError(relative, {});
}

Status SetOwner(int fd, const DirOwner& owner) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("fstat", PathOfFd(fd));
  const bool uid_ok = owner.uid == static_cast<uid_t>(-1) || st.st_uid == owner.uid;
  const bool gid_ok = owner.gid == static_cast<gid_t>(-1) || st.st_gid == owner.gid;
  if ((!uid_ok || !gid_ok) && ::fchown(fd, owner.uid, owner.gid) != 0) {
    return ErrnoError("fchown", PathOfFd(fd));
  }
  if ((st.st_mode & 07777) != owner.mode && ::fchmod(fd, owner.mode) != 0) {
    return ErrnoError("fchmod", PathOfFd(fd));
  }
  return {};
}

Result<UniqueFd> MakeDirsBeneath(int root_fd, std::string_view relative, const DirOwner& owner) {
  HOTPLEX_TRY_STATUS(ValidateRelativePath(relative, PATH_MAX));
  const std::vector<std::string_view> parts = Components(relative);
  constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  const int root = ::openat(root_fd, ".", kDirFlags);
  if (root < 0) return ErrnoError("open root", PathOfFd(root_fd));
  UniqueFd current(root);
  for (std::string_view part : parts) {
    const std::string name(part);
    const bool created = ::mkdirat(current.Get(), name.c_str(), owner.mode) == 0;
    if (!created && errno != EEXIST) {
      if (IsRefusalErrno(errno)) return OpenError(relative, name);
      return ErrnoError("mkdirat", "'" + name + "' in " + PathOfFd(current.Get()));
    }
    // Whatever is there now (ours, or a link swapped in since) is opened
    // without following: a symlink is refused with ELOOP/ENOTDIR.
    const int fd = ::openat(current.Get(), name.c_str(), kDirFlags);
    if (fd < 0) return OpenError(relative, name);
    current.Reset(fd);
    if (created) HOTPLEX_TRY_STATUS(SetOwner(current.Get(), owner));
  }
  return current;
}

DirOwner TenantOwner(uid_t uid, gid_t gid) {
  if (::geteuid() != 0 || uid == 0) return DirOwner{};
  return DirOwner{uid, gid, 0700};
}

Result<UniqueFd> OpenTrustedDir(const std::string& path, bool create, mode_t mode) {
  if (path.empty() || path.front() != '/') {
    return MakeError("'" + path + "' is not an absolute path");
  }
  if (create) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) return MakeError("cannot create the parents of " + path + ": " + ec.message());
    if (::mkdir(path.c_str(), mode) == 0) {
      // mkdir's mode went through the umask.
      if (::chmod(path.c_str(), mode) != 0) return ErrnoError("chmod", path);
    } else if (errno != EEXIST) {
      return ErrnoError("mkdir", path);
    }
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) {
      return ErrnoError("open", path + " is a symlink or not a directory; configure the real path");
    }
    return ErrnoError("open", path);
  }
  return UniqueFd(fd);
}

Result<std::string> RelativeBelow(const std::string& root, const std::string& path) {
  const fs::path r = fs::path(root).lexically_normal();
  const fs::path p = fs::path(path).lexically_normal();
  if (!r.is_absolute() || !p.is_absolute()) {
    return Refused("'" + path + "' and its root '" + root + "' must be absolute", EINVAL);
  }
  const fs::path rel = p.lexically_relative(r);
  if (rel.empty() || *rel.begin() == "..") {
    return Refused("'" + path + "' is not below '" + root + "'", EXDEV);
  }
  std::string out = rel == "." ? std::string() : rel.string();
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

Result<UniqueFd> PinDirBelow(const std::string& root, const std::string& path,
                             const DirOwner& owner) {
  HOTPLEX_TRY(std::string rel, RelativeBelow(root, path));
  HOTPLEX_TRY(UniqueFd root_fd, OpenTrustedDir(root, false));
  return MakeDirsBeneath(root_fd.Get(), rel, owner);
}

Result<UniqueFd> CloneMountTree(int dir_fd, bool read_only) {
  const long tree =
      ::syscall(SYS_open_tree, dir_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) {
    if (errno == ENOSYS) {
      return ErrnoError("open_tree",
                        "the kernel lacks open_tree (Linux 5.2+ needed): a workdir "
                        "cannot be mounted without resolving its path twice");
    }
    return ErrnoError("open_tree", PathOfFd(dir_fd));
  }
  UniqueFd owned(static_cast<int>(tree));
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (read_only ? MOUNT_ATTR_RDONLY : 0);
  if (::syscall(SYS_mount_setattr, owned.Get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
    if (errno == ENOSYS) {
      return ErrnoError("mount_setattr", "the kernel lacks mount_setattr (Linux 5.12+ needed)");
    }
    return ErrnoError("mount_setattr", PathOfFd(dir_fd));
  }
  return owned;
}

namespace {

// Calls `fn(name)` for each entry of the directory `fd` but . and ..
template <class Fn>
Status ForEachEntry(int fd, Fn&& fn) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return ErrnoError("dup");
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    ::close(copy);
    return ErrnoError("fdopendir");
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(dir);
  for (const std::string& n : names) HOTPLEX_TRY_STATUS(fn(n));
  return {};
}

Status RemoveAt(int dir_fd, const std::string& name, int depth) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return ErrnoError("unlinkat", name);
  if (depth >= kMaxRemoveDepth) {
    return MakeError("'" + name + "' is nested deeper than " + std::to_string(kMaxRemoveDepth) +
                     " levels; not removed");
  }
  const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    // Swapped for a link or file since the unlink: unlink that, never follow it.
    if (errno == ELOOP || errno == ENOTDIR) return RemoveAt(dir_fd, name, kMaxRemoveDepth);
    return errno == ENOENT ? Status{} : Status{ErrnoError("openat", name)};
  }
  UniqueFd dir(fd);
  HOTPLEX_TRY_STATUS(ForEachEntry(
      dir.Get(), [&](const std::string& entry) { return RemoveAt(dir.Get(), entry, depth + 1); }));
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ErrnoError("rmdir", name);
  }
  return {};
}

}  // namespace

Status RemoveTreeBeneath(int dir_fd, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return Refused("'" + name + "' is not a single name below its directory", EINVAL);
  }
  return RemoveAt(dir_fd, name, 0);
}

std::string PathOfFd(int fd) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "fd " + std::to_string(fd);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace hotplex::sandbox
