// User namespace: the parent-side step that maps the sandbox user to its host
// identity. Exactly one uid and one gid are mapped (inside_uid -> host_uid),
// and host root (uid or gid 0) is refused.
#pragma once

#include <sys/types.h>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox {

Status ValidateIdentity(const Identity& identity);
// Writes /proc/<pid>/{setgroups,uid_map,gid_map} for a child in a new user namespace.
Status WriteIdMaps(pid_t pid, const Identity& identity);

}  // namespace hotplex::sandbox
