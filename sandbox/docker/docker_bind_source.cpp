#include "sandbox/docker/docker_bind_source.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "sandbox/host_path.hpp"

namespace hotplex::sandbox {
namespace {

constexpr std::size_t kMaxStaleDirs = 4096;

FileId IdOf(const struct stat& st) { return FileId{st.st_dev, st.st_ino}; }

// Whether only root can change what `child` (an entry of `parent`) is: the
// parent belongs to root and nobody else may write it, or it is sticky (/tmp)
// and the entry belongs to root, so no one else may rename or remove it.
bool OnlyRootCanChange(const struct stat& parent, const struct stat& child) {
  if (parent.st_uid != 0) return false;
  if ((parent.st_mode & (S_IWGRP | S_IWOTH)) == 0) return true;
  return (parent.st_mode & S_ISVTX) != 0 && child.st_uid == 0;
}

std::string WhyChangeable(const std::string& dir, const struct stat& st) {
  if (st.st_uid != 0) return dir + " (owned by uid " + std::to_string(st.st_uid) + ")";
  return dir + " (writable by group or others)";
}

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    const std::size_t slash = std::min(path.find('/', pos), path.size());
    if (slash > pos) parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

Error Refused(const std::string& message, int err) { return Error{message, err, kHostPathRefused}; }

// The docker socket and every directory above it, by identity: a bind of any
// of them would hand the sandbox the daemon (root on the host).
std::vector<FileId> SocketAndParents(const std::string& socket) {
  std::vector<FileId> ids;
  std::error_code ec;
  std::filesystem::path p = std::filesystem::canonical(socket, ec);  // root's own path
  if (ec || socket.empty()) return ids;
  for (;; p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) ids.push_back(IdOf(st));
    if (p == p.root_path()) break;
  }
  return ids;
}

// The supervisor's pinned fd (SandboxSpec::workdir_fd/home_fd) is what gets
// bound. Its path is handed to dockerd only when a walk of it is root-fixed and
// reaches that very directory; otherwise the fd is staged, whatever the walk found.
Result<PinnedSource> AdoptPinned(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("fstat", "pinned " + path);
  auto walked = PinBindSource(path);
  if (walked && walked->root_fixed && walked->id == IdOf(st)) return walked;
  PinnedSource out;
  out.fd = UniqueFd(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (!out.fd) return ErrnoError("dup", "pinned " + path);
  out.path = path;
  out.id = IdOf(st);
  out.directory = S_ISDIR(st.st_mode);
  out.changeable = walked ? walked->changeable : "a directory its tenant controls";
  return out;
}

Result<std::string> ResolveOne(const std::string& path, const char* what,
                               const std::vector<FileId>& socket, DockerBindStaging& staging,
                               PinnedSource* kept = nullptr, int pinned_fd = -1) {
  auto pinned = pinned_fd >= 0 ? AdoptPinned(path, pinned_fd) : PinBindSource(path);
  if (!pinned) {
    Error e = std::move(pinned).error();
    e.message = std::string(what) + " " + path + ": " + e.message;
    return e;
  }
  if (std::find(socket.begin(), socket.end(), pinned->id) != socket.end()) {
    return MakeError(std::string("refusing to mount the docker socket into a sandbox (") + what +
                     " " + path + " is the socket or a directory holding it)");
  }
  // Root-fixed: the link-free path the walk took (dockerd resolves exactly it).
  std::string source = pinned->path;
  if (!pinned->root_fixed) {
    auto staged = staging.Mount(*pinned);
    if (!staged) {
      return MakeError(
          std::string(what) + " " + path + " lies below " + pinned->changeable +
          ", so dockerd must get a mount hotplexd pins from an fd, and hotplexd could not "
          "make it: " +
          staged.error().Describe() +
          ". hotplexd needs to be root in the host's mount namespace for that (not the case "
          "under compose); use the workspace root as workdir there (sandbox/docker/DOCKER.md)");
    }
    source = std::move(*staged);
  }
  if (kept != nullptr) *kept = std::move(*pinned);
  return source;
}

// The target of the symlink at `link_fd` (O_PATH|O_NOFOLLOW), as an absolute
// normalised path: relative targets start from `dir`, the (link-free) path of
// the directory holding the link.
Result<std::string> LinkTarget(int link_fd, const std::string& dir, const std::string& name) {
  char buf[4096];
  const ssize_t n = ::readlinkat(link_fd, "", buf, sizeof buf);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) {
    return ErrnoError("readlink", dir + "/" + name);
  }
  const std::filesystem::path target(std::string(buf, static_cast<std::size_t>(n)));
  const std::filesystem::path base(dir.empty() ? std::string("/") : dir);
  return (target.is_absolute() ? target : base / target).lexically_normal().string();
}

// Continues the walk at a (root's) link's target: its components go on the
// stack, and the walk starts over from "/".
Status RestartAtLink(int link_fd, const std::string& name, PinnedSource& out, struct stat& parent,
                     std::vector<std::string>& todo) {
  HOTPLEX_TRY(std::string target, LinkTarget(link_fd, out.path, name));
  const std::vector<std::string> parts = Components(target);
  todo.insert(todo.end(), parts.rbegin(), parts.rend());
  out.fd = UniqueFd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!out.fd || ::fstat(out.fd.Get(), &parent) != 0) return ErrnoError("open", "/");
  out.path.clear();
  return {};
}

}  // namespace

// One walk from "/", component by component with O_NOFOLLOW. A symlink is
// followed only while the path is root-fixed and the link itself is root's in
// a directory only root can change (e.g. /var/run -> /run): then the walk starts
// again from its target, and `path` becomes the link-free result.
Result<PinnedSource> PinBindSource(const std::string& path) {
  if (path.empty() || path.front() != '/') return Refused("'" + path + "' is not absolute", EINVAL);
  std::vector<std::string> todo = Components(path);
  std::reverse(todo.begin(), todo.end());  // a stack: next component at the back
  PinnedSource out;
  out.root_fixed = true;
  out.fd = UniqueFd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  struct stat parent {};
  if (!out.fd || ::fstat(out.fd.Get(), &parent) != 0) return ErrnoError("open", "/");
  struct stat st {};
  int links = 0;
  while (!todo.empty()) {
    const std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == "." || part == "..") return Refused("'" + path + "' is not normalised", EINVAL);
    if (!S_ISDIR(parent.st_mode)) return Refused(out.path + " is not a directory", ENOTDIR);
    UniqueFd next(::openat(out.fd.Get(), part.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next || ::fstat(next.Get(), &st) != 0) return ErrnoError("open", out.path + "/" + part);
    const bool fixed = out.root_fixed && OnlyRootCanChange(parent, st);
    if (S_ISLNK(st.st_mode)) {
      // The source itself is never a link (like the namespace backend's workdir).
      if (!fixed || st.st_uid != 0 || todo.empty() || ++links > 40) {
        return Refused(out.path + "/" + part + " is a symlink; refusing to bind-mount through it",
                       ELOOP);
      }
      HOTPLEX_TRY_STATUS(RestartAtLink(next.Get(), part, out, parent, todo));
      continue;
    }
    if (out.root_fixed && !fixed) {
      out.root_fixed = false;
      out.changeable = WhyChangeable(out.path.empty() ? "/" : out.path, parent);
    }
    out.path += "/" + part;
    out.fd = std::move(next);
    parent = st;
  }
  if (out.path.empty()) out.path = "/";
  out.id = IdOf(parent);  // what out.fd refers to
  out.directory = S_ISDIR(parent.st_mode);
  return out;
}

Status DockerBindStaging::Open() {
  HOTPLEX_TRY(root_fd_, OpenTrustedDir(root_, true));
  // The staging root must itself be out of every tenant's reach.
  HOTPLEX_TRY(PinnedSource self, PinBindSource(root_));
  if (!self.root_fixed) {
    return MakeError("docker bind staging dir " + root_ + " lies below " + self.changeable);
  }
  HOTPLEX_TRY_STATUS(SetOwner(root_fd_.Get(), DirOwner{0, 0, 0700}));
  if (::mkdirat(root_fd_.Get(), name_.c_str(), 0700) != 0) {
    return ErrnoError("mkdir", root_ + "/" + name_);
  }
  dir_fd_ = UniqueFd(
      ::openat(root_fd_.Get(), name_.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd_) return ErrnoError("open", root_ + "/" + name_);
  return {};
}

Result<std::string> DockerBindStaging::Mount(const PinnedSource& source) {
  if (!dir_fd_) HOTPLEX_TRY_STATUS(Open());
  const std::string entry = std::to_string(entries_.size());
  const std::string path = root_ + "/" + name_ + "/" + entry;
  if (source.directory) {
    if (::mkdirat(dir_fd_.Get(), entry.c_str(), 0700) != 0) return ErrnoError("mkdir", path);
  } else {
    UniqueFd file(::openat(dir_fd_.Get(), entry.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file) return ErrnoError("create", path);
  }
  entries_.push_back({entry, source.directory});
  UniqueFd target(::openat(dir_fd_.Get(), entry.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!target) return ErrnoError("open", path);
  HOTPLEX_TRY(UniqueFd tree, CloneMountTree(source.fd.Get(), false));
  if (::syscall(SYS_move_mount, tree.Get(), "", target.Get(), "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return ErrnoError("move_mount", path);
  }
  return path;
}

void DockerBindStaging::Release() {
  if (!dir_fd_) return;
  const std::string dir = root_ + "/" + name_;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    // A path below the root-only staging dir: nobody else can redirect it.
    (void)::umount2((dir + "/" + it->name).c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
    (void)::unlinkat(dir_fd_.Get(), it->name.c_str(), it->directory ? AT_REMOVEDIR : 0);
  }
  entries_.clear();
  dir_fd_.Reset();
  (void)::unlinkat(root_fd_.Get(), name_.c_str(), AT_REMOVEDIR);
  root_fd_.Reset();
}

std::size_t RemoveStaleStaging(const std::string& root) {
  DIR* top = ::opendir(root.c_str());
  if (top == nullptr) return 0;
  std::vector<std::string> names;
  while (const dirent* d = ::readdir(top)) {
    const std::string name = d->d_name;
    if (name != "." && name != ".." && names.size() < kMaxStaleDirs) names.push_back(name);
  }
  ::closedir(top);
  for (const std::string& name : names) {
    const std::string dir = root + "/" + name;
    for (int entry = 0; entry < 64; ++entry) {
      const std::string path = dir + "/" + std::to_string(entry);
      (void)::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
      if (::rmdir(path.c_str()) != 0) (void)::unlink(path.c_str());
    }
    (void)::rmdir(dir.c_str());
  }
  return names.size();
}

Result<DockerBindSources> ResolveDockerBindSources(const SandboxSpec& spec,
                                                   const std::string& docker_socket,
                                                   DockerBindStaging& staging) {
  const std::vector<FileId> socket = SocketAndParents(docker_socket);
  DockerBindSources out;
  PinnedSource workdir;
  const int workdir_fd = spec.workdir_fd ? spec.workdir_fd->Get() : -1;
  HOTPLEX_TRY(out.workdir,
              ResolveOne(spec.workdir, "workdir", socket, staging, &workdir, workdir_fd));
  out.workdir_staged = !workdir.root_fixed;
  out.workdir_id = workdir.id;
  if (!spec.home_source.empty()) {
    const int home_fd = spec.home_fd ? spec.home_fd->Get() : -1;
    HOTPLEX_TRY(out.home, ResolveOne(spec.home_source, "home", socket, staging, nullptr, home_fd));
  }
  for (const BindMount& m : spec.mounts) {
    HOTPLEX_TRY(std::string source, ResolveOne(m.source, "mount", socket, staging));
    out.mounts.push_back(std::move(source));
  }
  return out;
}

}  // namespace hotplex::sandbox
