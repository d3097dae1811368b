#include "supervisor/state_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/log_line.hpp"

namespace hotplex::supervisor {
namespace {
namespace fs = std::filesystem;

// O_NONBLOCK: a FIFO planted in place of a file must not hang the start.
constexpr int kOpenFlags = O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
// A bound on the tenants' dirs visited at start (homes/ holds one per session).
constexpr std::size_t kMaxTenantDirs = std::size_t{1} << 20;

struct LayoutDir {
  const char* name;
  mode_t mode;
  bool create;
  bool holds_tenant_dirs;
};
constexpr LayoutDir kDirs[] = {{"workspaces", kStateDirMode, true, true},
                               {"homes", kStateDirMode, true, true},
                               {"transcripts", kPrivateDirMode, false, false},
                               {"audit-archive", kPrivateDirMode, false, false}};
constexpr const char* kSecrets[] = {"admin-token", "api-key", "audit-key"};
// Files of the daemon's state: nobody else may write them; read bits go at start.
constexpr const char* kDatabases[] = {"sessions.db",  "sessions.db-wal", "sessions.db-shm",
                                      "audit.db",     "audit.db-wal",    "audit.db-shm",
                                      "audit-witness"};

void Log(std::string_view msg, const std::string& path, const nlohmann::json& extra = {}) {
  nlohmann::json fields = extra.is_object() ? extra : nlohmann::json::object();
  fields["path"] = path;
  LogLine(LogLevel::kInfo, "state_dir", msg, fields);
}

std::string ModeText(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// "root:root" for a root daemon (the fix an operator types), else "<uid>:<gid>".
std::string DaemonOwner() {
  if (::geteuid() == 0) return "root:root";
  return std::to_string(::geteuid()) + ":" + std::to_string(::getegid());
}

std::string ChownChmod(const std::string& path, mode_t mode) {
  return "chown " + DaemonOwner() + " " + path + " && chmod " + ModeText(mode) + " " + path;
}

Error ToError(const StateDirFinding& f) {
  return MakeError(f.path + " " + f.what + ": the daemon does not trust it (fix: " + f.fix + ")");
}

StateDirFinding Refused(const std::string& path, std::string what, std::string fix) {
  return StateDirFinding{path, std::move(what), std::move(fix), true};
}

mode_t DefaultMode(DaemonFileKind kind) {
  return kind == DaemonFileKind::kDirectory ? kPrivateDirMode : kPrivateFileMode;
}

// "/a/b/" -> "/a/b": a trailing slash would make O_NOFOLLOW follow a link.
std::string Normalized(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p.string();
}

// The trust rule on a stat of the opened file; `mode` is the layout's (for the fix).
std::optional<StateDirFinding> Judge(const struct stat& st, const std::string& path,
                                     DaemonFileKind kind, mode_t mode) {
  const bool want_dir = kind == DaemonFileKind::kDirectory;
  if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    return Refused(path, want_dir ? "is not a directory" : "is not a regular file",
                   "move it away if you did not put it there");
  }
  const std::string rotate = kind == DaemonFileKind::kSecret
                                 ? "; then rotate the secret, others could read or set it"
                                 : "";
  if (st.st_uid != ::geteuid()) {
    return Refused(path,
                   "is owned by uid " + std::to_string(st.st_uid) + ", not by the daemon's uid " +
                       std::to_string(::geteuid()),
                   ChownChmod(path, mode) + rotate);
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Refused(path, "has mode " + ModeText(st.st_mode) + ": writable by group or others",
                   ChownChmod(path, mode) + rotate);
  }
  if (kind == DaemonFileKind::kSecret && (st.st_mode & 077) != 0) {
    return Refused(path,
                   "has mode " + ModeText(st.st_mode) + ": group or others can read the secret",
                   ChownChmod(path, mode) + rotate);
  }
  return std::nullopt;
}

hotplex::Status CheckFd(int fd, const std::string& path, DaemonFileKind kind, mode_t mode) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("fstat", path);
  if (auto refused = Judge(st, path, kind, mode)) return ToError(*refused);
  return {};
}

// An entry opened without following a link: its fd (none when absent), or
// why the rule refuses it.
struct Probe {
  std::optional<UniqueFd> fd;
  std::optional<StateDirFinding> refused;
};

Result<Probe> ProbeAt(int dir, const char* name, const std::string& path, DaemonFileKind kind,
                      mode_t mode, int flags = 0) {
  Probe probe;
  UniqueFd fd(::openat(dir, name, flags | kOpenFlags));
  if (!fd) {
    Error error = ErrnoError("open", path);
    if (error.sys_errno == ENOENT) return probe;
    if (error.sys_errno != ELOOP) return error;
    probe.refused =
        Refused(path, "is a symbolic link",
                "put the real file there (" + ChownChmod(path, mode) + ") or remove the link");
    return probe;
  }
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0) return ErrnoError("fstat", path);
  probe.refused = Judge(st, path, kind, mode);
  if (!probe.refused) probe.fd = std::move(fd);
  return probe;
}

Result<std::optional<UniqueFd>> OpenAt(int dir, const char* name, const std::string& path,
                                       DaemonFileKind kind, mode_t mode, int flags = 0) {
  HOTPLEX_TRY(Probe probe, ProbeAt(dir, name, path, kind, mode, flags));
  if (probe.refused) return ToError(*probe.refused);
  return std::move(probe.fd);
}

// Sets exactly `mode` (the umask may have taken bits, an older layout had more).
hotplex::Status SetMode(int fd, const std::string& path, mode_t mode) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("fstat", path);
  if ((st.st_mode & 07777) == mode) return {};
  if (::fchmod(fd, mode) != 0) return ErrnoError("fchmod", path);
  // Only a narrowing is news (an older layout); a bit the umask took is not.
  if ((st.st_mode & 0777 & ~mode) != 0) {
    Log("narrowed to the layout's mode", path,
        {{"from", ModeText(st.st_mode)}, {"to", ModeText(mode)}});
  }
  return {};
}

// mkdir that accepts an existing entry (checked by whoever opens it next).
hotplex::Status MakeDir(int dir, const char* name, const std::string& path, mode_t mode) {
  if (::mkdirat(dir, name, mode) == 0) return {};
  Error error = ErrnoError("mkdir", path);
  if (error.sys_errno == EEXIST) return {};
  return error;
}

// A tenant's dir loses group/other bits; one still owned by the daemon (a
// workspace root from an older layout) keeps only the traverse bits, so the
// tenant's dirs below it stay reachable. False when left as it was.
bool TightenTenantDir(int parent, const char* name) {
  UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | kOpenFlags));
  if (!fd) return false;  // a file, a link or gone: nothing the sandbox mounts
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0) return false;
  const mode_t keep = st.st_uid == ::geteuid() ? 07711 : 07700;
  const mode_t want = st.st_mode & keep;
  if (want == (st.st_mode & 07777)) return false;
  return ::fchmod(fd.Get(), want) == 0;
}

hotplex::Status TightenTenantDirs(int parent, const std::string& path) {
  UniqueFd copy(::fcntl(parent, F_DUPFD_CLOEXEC, 0));
  if (!copy) return ErrnoError("dup", path);
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::fdopendir(copy.Get()), ::closedir);
  if (!listing) return ErrnoError("fdopendir", path);
  copy.Release();  // the DIR owns it now
  std::size_t seen = 0, tightened = 0;
  while (const dirent* entry = ::readdir(listing.get())) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (++seen > kMaxTenantDirs) {
      Log("too many entries: the rest keep their modes", path, {{"limit", kMaxTenantDirs}});
      break;
    }
    if (TightenTenantDir(parent, entry->d_name)) ++tightened;
  }
  if (tightened > 0) Log("closed tenants' dirs to others", path, {{"count", tightened}});
  return {};
}

hotplex::Status PrepareSubdir(int state, const std::string& root, const LayoutDir& layout) {
  const std::string path = root + "/" + layout.name;
  if (layout.create) HOTPLEX_TRY_STATUS(MakeDir(state, layout.name, path, layout.mode));
  HOTPLEX_TRY(auto dir, OpenAt(state, layout.name, path, DaemonFileKind::kDirectory, layout.mode));
  if (!dir) return {};
  HOTPLEX_TRY_STATUS(SetMode(dir->Get(), path, layout.mode));
  if (layout.holds_tenant_dirs) HOTPLEX_TRY_STATUS(TightenTenantDirs(dir->Get(), path));
  return {};
}

Result<UniqueFd> OpenStateDir(const std::string& root) {
  const fs::path parent = fs::path(root).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) return MakeError("cannot create " + parent.string() + ": " + ec.message());
  HOTPLEX_TRY_STATUS(MakeDir(AT_FDCWD, root.c_str(), root, kStateDirMode));
  HOTPLEX_TRY(auto dir,
              OpenAt(AT_FDCWD, root.c_str(), root, DaemonFileKind::kDirectory, kStateDirMode));
  if (!dir) return MakeError("state dir " + root + " vanished while the daemon created it");
  return std::move(*dir);
}

// Creates the missing directories of `dir` with 0711: a sandbox uid must
// traverse them to reach its workspace.
hotplex::Status MakeTraversable(const fs::path& dir) {
  fs::path prefix;
  for (const auto& part : dir) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), kStateDirMode) != 0) {
      Error error = ErrnoError("mkdir", prefix.string());
      if (error.sys_errno == EEXIST) continue;
      return error;
    }
    if (::chmod(prefix.c_str(), kStateDirMode) != 0) return ErrnoError("chmod", prefix.string());
  }
  return {};
}

hotplex::Status HandTo(int fd, const std::string& path, const Tenant& tenant) {
  if (::geteuid() == 0 && tenant.uid != 0 && ::fchown(fd, tenant.uid, tenant.gid) != 0) {
    return ErrnoError("fchown", path);
  }
  if (::fchmod(fd, kPrivateDirMode) != 0) return ErrnoError("fchmod", path);
  Log("workspace root handed to its tenant", path, {{"tenant", tenant.id}, {"uid", tenant.uid}});
  return {};
}

hotplex::Status PrepareWorkspaceRoot(const Tenant& tenant, const fs::path& daemon_managed) {
  const std::string root = Normalized(tenant.workspace_root);
  HOTPLEX_TRY_STATUS(MakeTraversable(fs::path(root).parent_path()));
  bool created = ::mkdir(root.c_str(), kPrivateDirMode) == 0;
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | kOpenFlags));
  if (!fd) {
    Error error = ErrnoError("open", "workspace root of tenant " + tenant.id + ": " + root);
    // O_DIRECTORY|O_NOFOLLOW on a link answers ENOTDIR (or ELOOP).
    if (error.sys_errno == ELOOP || error.sys_errno == ENOTDIR) {
      error.message += " is a symbolic link or not a directory: configure the directory itself";
    }
    return error;
  }
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0) return ErrnoError("fstat", root);
  const bool ours = st.st_uid == ::geteuid() && st.st_uid != tenant.uid;
  if (created || (ours && fs::path(root).parent_path() == daemon_managed)) {
    return HandTo(fd.Get(), root, tenant);
  }
  if (st.st_uid == tenant.uid && (st.st_mode & 077) != 0) {
    if (::fchmod(fd.Get(), st.st_mode & 07700) != 0) return ErrnoError("fchmod", root);
    Log("closed a workspace root to others", root, {{"from", ModeText(st.st_mode)}});
  }
  return {};
}

}  // namespace

hotplex::Status CheckDaemonFd(int fd, const std::string& path, DaemonFileKind kind) {
  return CheckFd(fd, path, kind, DefaultMode(kind));
}

Result<std::optional<UniqueFd>> OpenDaemonFile(const std::string& path, DaemonFileKind kind,
                                               int flags) {
  const std::string name = Normalized(path);
  return OpenAt(AT_FDCWD, name.c_str(), name, kind, DefaultMode(kind), flags);
}

hotplex::Status PrepareStateDir(const std::string& state_dir) {
  const std::string root = Normalized(state_dir);
  HOTPLEX_TRY(UniqueFd state, OpenStateDir(root));
  HOTPLEX_TRY_STATUS(SetMode(state.Get(), root, kStateDirMode));
  for (const auto& layout : kDirs) HOTPLEX_TRY_STATUS(PrepareSubdir(state.Get(), root, layout));
  for (const char* name : kSecrets) {
    HOTPLEX_TRY(auto fd, OpenAt(state.Get(), name, root + "/" + name, DaemonFileKind::kSecret,
                                kPrivateFileMode));
  }
  for (const char* name : kDatabases) {
    const std::string path = root + "/" + name;
    HOTPLEX_TRY(auto fd,
                OpenAt(state.Get(), name, path, DaemonFileKind::kDatabase, kPrivateFileMode));
    if (fd) HOTPLEX_TRY_STATUS(SetMode(fd->Get(), path, kPrivateFileMode));
  }
  return {};
}

std::vector<StateDirFinding> InspectStateDir(const std::string& state_dir) {
  const std::string root = Normalized(state_dir);
  std::vector<StateDirFinding> findings;
  auto note = [&](int dir, const char* name, const std::string& path, DaemonFileKind kind,
                  mode_t mode) -> std::optional<UniqueFd> {
    auto probe = ProbeAt(dir, name, path, kind, mode);
    if (!probe) {
      findings.push_back(
          Refused(path, probe.error().Describe(), "make it readable by the daemon's user"));
      return std::nullopt;
    }
    if (probe->refused) findings.push_back(*probe->refused);
    struct stat st {};
    if (probe->fd && ::fstat(probe->fd->Get(), &st) == 0 && (st.st_mode & 0777 & ~mode) != 0) {
      findings.push_back(
          {path, "has mode " + ModeText(st.st_mode) + ", wider than the layout's " + ModeText(mode),
           "hotplexd serve sets " + ModeText(mode) + " at start (or chmod " + ModeText(mode) + " " +
               path + ")",
           false});
    }
    return std::move(probe->fd);
  };
  auto state = note(AT_FDCWD, root.c_str(), root, DaemonFileKind::kDirectory, kStateDirMode);
  if (!state) return findings;
  for (const auto& layout : kDirs) {
    note(state->Get(), layout.name, root + "/" + layout.name, DaemonFileKind::kDirectory,
         layout.mode);
  }
  for (const char* name : kSecrets) {
    note(state->Get(), name, root + "/" + name, DaemonFileKind::kSecret, kPrivateFileMode);
  }
  for (const char* name : kDatabases) {
    note(state->Get(), name, root + "/" + name, DaemonFileKind::kDatabase, kPrivateFileMode);
  }
  return findings;
}

hotplex::Status PrepareWorkspaceRoots(const DaemonConfig& config) {
  const fs::path managed =
      fs::absolute(fs::path(Normalized(config.state_dir)) / "workspaces").lexically_normal();
  for (const auto& tenant : config.tenants) {
    HOTPLEX_TRY_STATUS(PrepareWorkspaceRoot(tenant, managed));
  }
  return {};
}

}  // namespace hotplex::supervisor
