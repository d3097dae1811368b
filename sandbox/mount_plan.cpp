#include "sandbox/mount_plan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "sandbox/host_path.hpp"

namespace hotplex::sandbox {
namespace {

// System directories bound read-only (or recreated as symlinks when the host
// has them as symlinks, as on merged-/usr systems).
constexpr const char* kSystemDirs[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                       "/lib32", "/lib64", "/libx32"};
// Host /etc entries the sandbox needs to resolve names, verify TLS and run
// Debian's alternatives; everything else in /etc stays invisible.
constexpr const char* kEtcEntries[] = {
    "/etc/resolv.conf",  "/etc/nsswitch.conf", "/etc/host.conf",    "/etc/gai.conf",
    "/etc/services",     "/etc/protocols",     "/etc/ssl",          "/etc/ca-certificates",
    "/etc/ld.so.cache",  "/etc/ld.so.conf",    "/etc/ld.so.conf.d", "/etc/localtime",
    "/etc/alternatives", "/etc/mime.types",    "/etc/timezone"};
constexpr const char* kDevNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
constexpr const char* kProcReadOnly[] = {"sys", "sysrq-trigger", "irq", "bus"};

std::string Old(const std::string& p) { return std::string(kOldRoot) + p; }
std::string New(const std::string& p) { return std::string(kNewRoot) + p; }

std::string PasswdFile(const Identity& id) {
  return "root:x:0:0:root:/root:/usr/sbin/nologin\n" + id.user_name +
         ":x:" + std::to_string(id.inside_uid) + ":" + std::to_string(id.inside_gid) + ":" +
         id.user_name + ":/home/" + id.user_name + ":/bin/bash\n" +
         "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
}

std::string GroupFile(const Identity& id) {
  return "root:x:0:\n" + id.user_name + ":x:" + std::to_string(id.inside_gid) + ":\n" +
         "nogroup:x:65534:\n";
}

std::string HostsFile(const std::string& hostname) {
  return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname +
         "\n";
}

void AddSystemDirs(std::vector<MountOp>& ops) {
  for (const char* dir : kSystemDirs) {
    struct stat st {};
    if (::lstat(dir, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      const ssize_t n = ::readlink(dir, target, sizeof target - 1);
      if (n <= 0) continue;
      ops.push_back(
          {MountOpKind::kSymlink, {}, New(dir), std::string(target, static_cast<std::size_t>(n))});
    } else if (S_ISDIR(st.st_mode)) {
      ops.push_back({MountOpKind::kBind, Old(dir), New(dir), {}, true, true, false});
    }
  }
}

void AddEtc(std::vector<MountOp>& ops, const SandboxSpec& spec, const std::string& hostname) {
  ops.push_back({MountOpKind::kWriteFile, {}, New("/etc/passwd"), PasswdFile(spec.identity)});
  ops.push_back({MountOpKind::kWriteFile, {}, New("/etc/group"), GroupFile(spec.identity)});
  ops.push_back({MountOpKind::kWriteFile, {}, New("/etc/hostname"), hostname + "\n"});
  ops.push_back({MountOpKind::kWriteFile, {}, New("/etc/hosts"), HostsFile(hostname)});
  for (const char* entry : kEtcEntries) {
    // Follow a symlinked entry (e.g. resolv.conf managed elsewhere) to its file.
    char resolved[PATH_MAX];
    if (!::realpath(entry, resolved)) continue;
    struct stat st {};
    if (::stat(resolved, &st) != 0) continue;
    ops.push_back(
        {MountOpKind::kBind, Old(resolved), New(entry), {}, S_ISDIR(st.st_mode), true, false});
  }
}

void AddDev(std::vector<MountOp>& ops) {
  ops.push_back({MountOpKind::kTmpfs, {}, New("/dev"), "mode=0755,size=1m"});
  for (const char* node : kDevNodes) {
    const std::string path = std::string("/dev/") + node;
    if (::access(path.c_str(), F_OK) != 0) continue;
    ops.push_back({MountOpKind::kBind, Old(path), New(path), {}, false, false, true});
  }
  ops.push_back({MountOpKind::kDevpts, {}, New("/dev/pts"), "newinstance,ptmxmode=0666,mode=0620"});
  ops.push_back({MountOpKind::kSymlink, {}, New("/dev/ptmx"), "pts/ptmx"});
  ops.push_back({MountOpKind::kSymlink, {}, New("/dev/fd"), "/proc/self/fd"});
  ops.push_back({MountOpKind::kSymlink, {}, New("/dev/stdin"), "/proc/self/fd/0"});
  ops.push_back({MountOpKind::kSymlink, {}, New("/dev/stdout"), "/proc/self/fd/1"});
  ops.push_back({MountOpKind::kSymlink, {}, New("/dev/stderr"), "/proc/self/fd/2"});
  ops.push_back({MountOpKind::kTmpfs, {}, New("/dev/shm"), "mode=1777"});
}

void AddProc(std::vector<MountOp>& ops) {
  ops.push_back({MountOpKind::kProc, {}, New("/proc"), {}});
  for (const char* entry : kProcReadOnly) {
    const std::string host = std::string("/proc/") + entry;
    if (::access(host.c_str(), F_OK) != 0) continue;
    ops.push_back({MountOpKind::kBindSelfRo, {}, New(host), {}});
  }
}

}  // namespace

std::string MountOp::Describe() const {
  static constexpr const char* kNames[] = {"bind",   "bind-self-ro", "tmpfs", "proc",
                                           "devpts", "symlink",      "file",  "attach-tree"};
  std::string out = kNames[static_cast<int>(kind)];
  out += " " + target;
  if (!source.empty()) out += " <- " + source;
  if (kind == MountOpKind::kBind || kind == MountOpKind::kAttachTree)
    out += read_only ? " (ro)" : " (rw)";
  return out;
}

Status ValidateHostPath(const std::string& path, const std::string& what, bool want_dir) {
  if (path.empty() || path[0] != '/')
    return MakeError(what + " '" + path + "' is not an absolute path");
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return ErrnoError(what, "'" + path + "'");
  char resolved[PATH_MAX];
  if (!::realpath(path.c_str(), resolved)) return ErrnoError(what, "'" + path + "'");
  std::string normal = path;
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  if (normal != resolved) {
    return MakeError(what + " '" + path + "' is or passes through a symlink (resolves to '" +
                     resolved + "'); give the real path");
  }
  if (want_dir && !S_ISDIR(st.st_mode))
    return MakeError(what + " '" + path + "' is not a directory");
  if (!want_dir && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
    return MakeError(what + " '" + path + "' is neither a file nor a directory");
  }
  return {};
}

Result<std::shared_ptr<const UniqueFd>> PinTrustedDir(const std::string& path,
                                                      const std::string& what) {
  HOTPLEX_TRY_STATUS(ValidateHostPath(path, what, true));
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError(what, "'" + path + "'");
  auto pinned = std::make_shared<const UniqueFd>(fd);
  std::string normal = path;
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  // A link swapped in between the check and the open shows in the fd's path.
  if (const std::string now = PathOfFd(fd); now != normal) {
    return MakeError(what + " '" + path + "' changed while it was opened (now '" + now +
                     "'); give the real path");
  }
  return pinned;
}

Status ValidateSandboxPath(const std::string& path, const std::string& what) {
  if (path.empty() || path[0] != '/' || path == "/") {
    return MakeError(what + " '" + path + "' must be an absolute path other than /");
  }
  if (path.find("/../") != std::string::npos || path.ends_with("/..") ||
      path.find("/./") != std::string::npos || path.find("//") != std::string::npos ||
      path.ends_with("/.") || path.ends_with("/")) {
    return MakeError(what + " '" + path +
                     "' must be a normalised path (no '.', '..', '//' or trailing '/')");
  }
  for (const char* reserved : {"/proc", "/dev", "/etc", "/usr"}) {
    const std::string r = reserved;
    if (path == r || path.rfind(r + "/", 0) == 0) {
      return MakeError(what + " '" + path + "' is inside " + r + ", which the sandbox manages");
    }
  }
  return {};
}

namespace {

// The spec's extra mounts: trusted (policy, daemon config) paths, bound by name.
Status AddExtraMounts(std::vector<MountOp>& ops, const std::vector<BindMount>& mounts) {
  for (const auto& m : mounts) {
    HOTPLEX_TRY_STATUS(ValidateHostPath(m.source, "mount source", false));
    const std::string target = m.target.empty() ? m.source : m.target;
    HOTPLEX_TRY_STATUS(ValidateSandboxPath(target, "mount target"));
    struct stat st {};
    ::stat(m.source.c_str(), &st);
    ops.push_back({MountOpKind::kBind,
                   Old(m.source),
                   New(target),
                   {},
                   S_ISDIR(st.st_mode),
                   m.mode == MountMode::kReadOnly,
                   false});
  }
  return {};
}

// A pinned directory for a kAttachTree op: the spec's fd, else the trusted path opened once.
Result<std::shared_ptr<const UniqueFd>> PinnedOrOpened(const std::shared_ptr<const UniqueFd>& fd,
                                                       const std::string& path,
                                                       const std::string& what) {
  if (fd != nullptr && fd->Valid()) return fd;
  return PinTrustedDir(path, what);
}

}  // namespace

Result<MountPlan> MountPlan::Build(const SandboxSpec& spec, const std::string& hostname) {
  MountPlan plan;
  HOTPLEX_TRY(auto workdir, PinnedOrOpened(spec.workdir_fd, spec.workdir, "WorkDir"));
  plan.workdir_inside_ = spec.workdir_inside.empty() ? spec.workdir : spec.workdir_inside;
  HOTPLEX_TRY_STATUS(ValidateSandboxPath(plan.workdir_inside_, "WorkDir inside the sandbox"));
  HOTPLEX_TRY_STATUS(ValidateSandboxPath(spec.home_inside, "home directory"));

  // Writable places and user mounts, ordered so that parents come before children.
  std::vector<MountOp> user_ops;
  user_ops.push_back({MountOpKind::kTmpfs, {}, New("/tmp"), "mode=1777"});
  auto attach = [&](std::shared_ptr<const UniqueFd> dir, const std::string& source,
                    const std::string& target) {
    MountOp op{MountOpKind::kAttachTree, source, New(target), {}, true, false, false};
    op.dir_fd = dir->Get();
    plan.pinned_.push_back(std::move(dir));
    user_ops.push_back(std::move(op));
  };
  if (spec.home_source.empty() && spec.home_fd == nullptr) {
    user_ops.push_back({MountOpKind::kTmpfs, {}, New(spec.home_inside), "mode=0700"});
  } else {
    HOTPLEX_TRY(auto home, PinnedOrOpened(spec.home_fd, spec.home_source, "home directory source"));
    attach(std::move(home), spec.home_source, spec.home_inside);
  }
  attach(std::move(workdir), spec.workdir, plan.workdir_inside_);
  HOTPLEX_TRY_STATUS(AddExtraMounts(user_ops, spec.mounts));
  std::stable_sort(user_ops.begin(), user_ops.end(), [](const MountOp& a, const MountOp& b) {
    return std::count(a.target.begin(), a.target.end(), '/') <
           std::count(b.target.begin(), b.target.end(), '/');
  });

  AddSystemDirs(plan.ops_);
  AddEtc(plan.ops_, spec, hostname);
  AddDev(plan.ops_);
  AddProc(plan.ops_);
  plan.ops_.insert(plan.ops_.end(), user_ops.begin(), user_ops.end());
  return plan;
}

Status MountPlan::CloneTrees() {
  for (MountOp& op : ops_) {
    if (op.kind != MountOpKind::kAttachTree || op.tree_fd >= 0) continue;
    if (trees_.size() >= static_cast<std::size_t>(kMaxMountTrees)) {
      return MakeError("more than " + std::to_string(kMaxMountTrees) +
                       " pinned mounts in one sandbox");
    }
    auto tree = CloneMountTree(op.dir_fd, op.read_only);
    if (!tree) return Error{tree.error().message, tree.error().sys_errno, "mount " + op.target};
    op.tree_fd = tree->Get();
    trees_.push_back(std::move(*tree));
  }
  return {};
}

std::vector<int> MountPlan::TreeFds() const {
  std::vector<int> fds;
  for (const UniqueFd& fd : trees_) fds.push_back(fd.Get());
  return fds;
}

}  // namespace hotplex::sandbox
