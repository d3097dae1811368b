// The parent-side preparation of one launch: everything CreateProcess needs,
// computed before any kernel object exists, plus the two steps around it
// (inheritable stdio copies, the suspended start). Thread-safety: pure values;
// the stdio copies are inherited only through an explicit handle list, so
// concurrent launches from other threads cannot leak handles into the child.
#pragma once

#include <string>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"
#include "sandbox/windows/win32_handle.hpp"

namespace hotplex::sandbox::win32 {

struct LaunchPlan {
  std::wstring application;   // absolute path of the executable
  std::wstring command_line;  // argv quoted for the MSVC runtime
  std::wstring environment;   // explicit UTF-16 block: exactly spec.env
  std::wstring workdir;       // the payload's current directory
};

// Validates the spec: argv non-empty; WorkDir (default: the current directory)
// an existing directory and not a reparse point (symlink/junction). argv[0]
// without a path is searched in the PATH of spec.env (+".exe"); a relative path
// is taken from the WorkDir. A program that cannot be found is a setup failure
// (step "SearchPathW", ERROR_FILE_NOT_FOUND), as a failed execve is on Linux.
Result<LaunchPlan> MakeLaunchPlan(const SandboxSpec& spec);

struct InheritedStdio {
  UniqueHandle in, out, err;
};
// Inheritable duplicates of the spec's stdio handles; nullptr becomes NUL.
Result<InheritedStdio> InheritStdio(const Stdio& stdio);

struct StartedProcess {
  UniqueHandle process;
  UniqueHandle thread;
  DWORD pid = 0;
};
// CreateProcessAsUserW (CreateProcessW when `token` is null) with
// CREATE_SUSPENDED: nothing of the payload runs until the caller resumes it.
Result<StartedProcess> StartSuspended(const LaunchPlan& plan, HANDLE token,
                                      const InheritedStdio& stdio);

}  // namespace hotplex::sandbox::win32
