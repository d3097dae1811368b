// MountPlan: the file system the sandbox sees, as an ordered list of steps.
//
// Built and validated in the parent (which may allocate, stat and resolve
// paths); carried out in the child (mount_jail.cpp) with plain syscalls. All
// paths in the plan are absolute: sources under kOldRoot (the host's root,
// reachable during setup), targets under kNewRoot (a fresh tmpfs that becomes
// "/"). The workdir and home are the exception: they are never named in the
// child. The parent holds them as pinned directory fds (sandbox/host_path.hpp)
// and turns each into a detached mount (open_tree) that the child attaches
// with move_mount, so a tenant's link swapped in after the check cannot
// redirect the mount. Thread-safety: immutable after Build and CloneTrees.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox {

inline constexpr const char* kOldRoot = "/oldroot";
inline constexpr const char* kNewRoot = "/newroot";

enum class MountOpKind {
  kBind,        // bind `source` onto `target` (created as dir or file), then remount
  kBindSelfRo,  // bind `target` onto itself read-only (e.g. /proc/sys)
  kTmpfs,       // tmpfs with options `data`
  kProc,        // a fresh procfs for the sandbox's pid namespace
  kDevpts,      // a new devpts instance
  kSymlink,     // symlink `target` -> `data`
  kWriteFile,   // a file with content `data`
  kAttachTree,  // move_mount the detached tree `tree_fd` onto `target` (a directory)
};

// At most this many detached trees per plan (workdir, home, two spare): the
// child keeps their fds open through CloseInheritedFds in a fixed array.
inline constexpr int kMaxMountTrees = 4;

struct MountOp {
  MountOpKind kind;
  std::string source;
  std::string target;
  std::string data;
  bool source_is_dir = true;
  bool read_only = true;
  bool allow_devices = false;  // device-node binds must not get MS_NODEV
  int dir_fd = -1;             // kAttachTree: the pinned source directory (parent side)
  int tree_fd = -1;            // kAttachTree: its detached mount, made by CloneTrees
  std::string Describe() const;
};

class MountPlan {
 public:
  // Validates the WorkDir and every mount source (must exist; must not be or
  // pass through a symlink) and lays out the sandbox's file system. The
  // workdir and home come from spec.workdir_fd / home_fd when set; otherwise
  // their (trusted) paths are opened here, once.
  static Result<MountPlan> Build(const SandboxSpec& spec, const std::string& hostname);

  // Parent side, before clone: one detached, nosuid+nodev mount per
  // kAttachTree op (needs CAP_SYS_ADMIN and Linux 5.12+).
  Status CloneTrees();
  // The detached trees' fds (the child must keep them open until Apply).
  std::vector<int> TreeFds() const;

  const std::vector<MountOp>& Ops() const { return ops_; }
  const std::string& WorkdirInside() const { return workdir_inside_; }

  // Child side: carries out every step; on failure reports {step, errno} on
  // `report_fd` and _exits.
  void Apply(int report_fd) const;

 private:
  std::vector<MountOp> ops_;
  std::string workdir_inside_;
  std::vector<std::shared_ptr<const UniqueFd>> pinned_;  // owners of the ops' dir_fd
  std::vector<UniqueFd> trees_;                          // owners of the ops' tree_fd
};

// Resolves `path` and fails unless it is absolute, exists, and resolves to
// itself (no symlink anywhere on it). `want_dir`: must be a directory.
Status ValidateHostPath(const std::string& path, const std::string& what, bool want_dir);
// Opens a trusted directory path (CLI, tests) once, refusing a symlink on it:
// the fd's own path must be the path asked for.
Result<std::shared_ptr<const UniqueFd>> PinTrustedDir(const std::string& path,
                                                      const std::string& what);
// Absolute, normalised, no "..", not "/": a valid place inside the sandbox.
Status ValidateSandboxPath(const std::string& path, const std::string& what);

}  // namespace hotplex::sandbox
