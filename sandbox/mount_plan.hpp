// MountPlan: the file system the sandbox sees, as an ordered list of steps.
//
// Built and validated in the parent (which may allocate, stat and resolve
// paths); carried out in the child (mount_jail.cpp) with plain syscalls. All
// paths in the plan are absolute: sources under kOldRoot (the host's root,
// reachable during setup), targets under kNewRoot (a fresh tmpfs that becomes
// "/"). Thread-safety: immutable after Build.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
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
};

struct MountOp {
  MountOpKind kind;
  std::string source;
  std::string target;
  std::string data;
  bool source_is_dir = true;
  bool read_only = true;
  bool allow_devices = false;  // device-node binds must not get MS_NODEV
  std::string Describe() const;
};

class MountPlan {
 public:
  // Validates the WorkDir and every mount source (must exist; must not be or
  // pass through a symlink) and lays out the sandbox's file system.
  static Result<MountPlan> Build(const SandboxSpec& spec, const std::string& hostname);

  const std::vector<MountOp>& Ops() const { return ops_; }
  const std::string& WorkdirInside() const { return workdir_inside_; }

  // Child side: carries out every step; on failure reports {step, errno} on
  // `report_fd` and _exits.
  void Apply(int report_fd) const;

 private:
  std::vector<MountOp> ops_;
  std::string workdir_inside_;
};

// Resolves `path` and fails unless it is absolute, exists, and resolves to
// itself (no symlink anywhere on it). `want_dir`: must be a directory.
Status ValidateHostPath(const std::string& path, const std::string& what, bool want_dir);
// Absolute, normalised, no "..", not "/": a valid place inside the sandbox.
Status ValidateSandboxPath(const std::string& path, const std::string& what);

}  // namespace hotplex::sandbox
