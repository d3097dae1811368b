#include "sandbox/user_namespace.hpp"

#include <string>

#include "sandbox/fs_util.hpp"

namespace hotplex::sandbox {

Status ValidateIdentity(const Identity& identity) {
  if (identity.host_uid == 0 || identity.host_gid == 0) {
    return MakeError("refusing to map the sandbox user to host root (uid " +
                     std::to_string(identity.host_uid) + ", gid " +
                     std::to_string(identity.host_gid) +
                     "): choose an unprivileged host uid/gid that owns the WorkDir");
  }
  if (identity.inside_uid == 0 || identity.inside_gid == 0) {
    return MakeError("the sandbox user must not be root inside the sandbox");
  }
  if (identity.user_name.empty() || identity.user_name.find_first_of(":\n/") != std::string::npos) {
    return MakeError("invalid sandbox user name '" + identity.user_name + "'");
  }
  return {};
}

Status WriteIdMaps(pid_t pid, const Identity& identity) {
  const std::string base = "/proc/" + std::to_string(pid);
  // setgroups stays "allow" for exactly one call: the child clears the daemon's
  // supplementary groups (host root's) with it. After that nothing in the
  // sandbox holds CAP_SETGID, so nobody can call it again.
  HOTPLEX_TRY_STATUS(WriteControlFile(
      base + "/uid_map",
      std::to_string(identity.inside_uid) + " " + std::to_string(identity.host_uid) + " 1\n"));
  HOTPLEX_TRY_STATUS(WriteControlFile(
      base + "/gid_map",
      std::to_string(identity.inside_gid) + " " + std::to_string(identity.host_gid) + " 1\n"));
  return {};
}

}  // namespace hotplex::sandbox
