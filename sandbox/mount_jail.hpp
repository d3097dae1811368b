// Child-side file system steps around MountPlan::Apply: the staging root that
// keeps the host reachable during setup, and the final switch to the new root.
// Everything here runs after clone() and is async-signal-safe.
#pragma once

namespace hotplex::sandbox::child {

// Makes every mount private, moves to a staging tmpfs with the host's root
// reachable at kOldRoot, and mounts the sandbox's root tmpfs at kNewRoot.
void PrepareStagingRoot(int report_fd);
// pivot_root into kNewRoot, detaches the host's root and makes "/" read-only.
void EnterNewRoot(int report_fd);
// mkdir -p with a stack buffer; returns false with errno set.
bool MakeDirsNoAlloc(const char* path, unsigned mode);

}  // namespace hotplex::sandbox::child
