// DockerSeccompProfile: the namespace backend's syscall filter in Docker's
// seccomp profile format (passed inline as `seccomp=<json>` in SecurityOpt).
//
// Same policy as SeccompProgram: allow by default; EPERM for
// SeccompProgram::DefaultDenied() + the extra names; EPERM for clone with any
// namespace flag and for the TIOCSTI/TIOCLINUX ioctls (low 32 bits masked);
// ENOSYS for clone3 so libc falls back to clone. x86-64, i386 and x32 ABIs.
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::sandbox {

// An unknown name in `extra_denied` is an error (as in SeccompProgram::Build).
Result<nlohmann::json> DockerSeccompProfile(const std::vector<std::string>& extra_denied);

}  // namespace hotplex::sandbox
