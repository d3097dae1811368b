// LaunchCloned: the parent-side launch sequence every Linux backend shares.
// Creates the setup pipes, clones the child (into the cgroup on v2), runs the
// backend's parent half (e.g. uid maps) and the v1 cgroup join while the child
// waits, releases it, and waits until the payload reached execve or a step
// failed. Thread-safety: reentrant; callable from any long-lived thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "sandbox/backend.hpp"
#include "sandbox/cgroup.hpp"
#include "sandbox/child_context.hpp"

namespace hotplex::sandbox {

struct CloneLaunch {
  std::uint64_t flags = 0;  // namespace flags for clone3
  // True when the first process is an init that reports the payload's wait
  // status on a pipe; false when the first process is the payload itself.
  bool status_pipe = false;
  void (*child_main)(const ChildContext&) = nullptr;  // must not return
  std::function<Status(pid_t)> parent_half;           // may be empty
};

Result<std::unique_ptr<Sandbox>> LaunchCloned(ChildContext ctx, const CloneLaunch& how,
                                              std::unique_ptr<Cgroup> cgroup, const Limits& limits);

}  // namespace hotplex::sandbox
