#include "sandbox/docker/docker_seccomp_profile.hpp"

#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include <cerrno>

#include "sandbox/seccomp_filter.hpp"

namespace hotplex::sandbox {
namespace {

using nlohmann::json;

constexpr unsigned long kNamespaceFlags[] = {CLONE_NEWNS,     CLONE_NEWUTS, CLONE_NEWIPC,
                                             CLONE_NEWUSER,   CLONE_NEWPID, CLONE_NEWNET,
                                             CLONE_NEWCGROUP, 0x00000080 /* CLONE_NEWTIME */};

json Errno(std::vector<std::string> names, int err) {
  return {{"names", std::move(names)}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", err}};
}

// Docker's SCMP_CMP_MASKED_EQ: (arg & value) == valueTwo.
json MaskedEq(const char* name, int index, unsigned long mask, unsigned long datum) {
  json rule = Errno({name}, EPERM);
  rule["args"] = json::array(
      {{{"index", index}, {"value", mask}, {"valueTwo", datum}, {"op", "SCMP_CMP_MASKED_EQ"}}});
  return rule;
}

}  // namespace

Result<json> DockerSeccompProfile(const std::vector<std::string>& extra_denied) {
  std::vector<std::string> denied = SeccompProgram::DefaultDenied();
  for (const auto& name : extra_denied) {
    if (seccomp_syscall_resolve_name(name.c_str()) == __NR_SCMP_ERROR) {
      return MakeError("unknown syscall '" + name + "' in the seccomp deny list");
    }
    denied.push_back(name);
  }
  json syscalls = json::array({Errno(denied, EPERM), Errno({"clone3"}, ENOSYS)});
  for (unsigned long request :
       {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)}) {
    syscalls.push_back(MaskedEq("ioctl", 1, 0xffffffffu, request));
  }
  for (unsigned long flag : kNamespaceFlags) syscalls.push_back(MaskedEq("clone", 0, flag, flag));
  return json{{"defaultAction", "SCMP_ACT_ALLOW"},
              {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
              {"syscalls", std::move(syscalls)}};
}

}  // namespace hotplex::sandbox
