// ChildContext: everything the namespace sandbox's first process needs, built
// in the parent before clone. The child only reads it (its own copy-on-write
// copy of the parent's memory), so no allocation happens after clone.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include "sandbox/capabilities.hpp"
#include "sandbox/exec_plan.hpp"
#include "sandbox/mount_plan.hpp"
#include "sandbox/seccomp_filter.hpp"

namespace hotplex::sandbox {

struct ChildContext {
  const MountPlan* mounts = nullptr;
  const ExecPlan* exec = nullptr;
  const SeccompProgram* seccomp = nullptr;  // nullptr: seccomp disabled (unsafe opt-in)
  const CapabilityDropper* caps = nullptr;
  const char* hostname = nullptr;
  const char* workdir_inside = nullptr;
  // Fds the child needs during setup and closes itself: the mount plan's
  // detached trees (namespace backend) or the pinned workdir (process backend).
  // -1 = unused. Kept open by CloseInheritedFds.
  int setup_fds[kMaxMountTrees] = {-1, -1, -1, -1};
  int workdir_fd = -1;  // process backend: fchdir here instead of chdir(workdir_inside)
  uid_t uid = 0;        // inside the user namespace
  gid_t gid = 0;
  rlim_t open_files = 0;  // 0: inherit
  bool new_network = true;
  int stdio[3] = {0, 1, 2};
  int sync_fd = -1;    // read end: one byte when the parent is done, EOF if it gave up
  int report_fd = -1;  // write end of the {step, errno} pipe
  int status_fd = -1;  // write end: init writes the payload's wait status here
};

// The whole setup order of a namespace sandbox, child side. Never returns:
// it becomes the sandbox's init (pid 1), or reports a failed step and exits.
[[noreturn]] void ContainProc(const ChildContext& ctx);

}  // namespace hotplex::sandbox
