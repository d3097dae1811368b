// Doctor checks of kernel features: version, user namespaces, cgroups, seccomp.
// The namespace and seccomp checks run their probe in a forked child, which
// reports through its exit code only.
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "sandbox/cgroup.hpp"
#include "sandbox/fs_util.hpp"
#include "sandbox/seccomp_filter.hpp"
#include "supervisor/doctor/doctor_checks.hpp"

namespace hotplex::supervisor {
namespace {

constexpr uid_t kNobody = 65534;

CheckResult Make(const char* name, CheckStatus status, std::string detail, std::string fix = {}) {
  return CheckResult{name, status, std::move(detail), std::move(fix)};
}

// Runs `probe` in a forked child and returns its exit code (-1 if it did not exit).
template <class Probe>
int RunInChild(Probe probe) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) ::_exit(probe());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Child side: enter a new user namespace, optionally as an unprivileged uid first.
int UnshareUserProbe(bool drop_to_nobody) {
  if (drop_to_nobody &&
      (::setgroups(0, nullptr) != 0 || ::setresgid(kNobody, kNobody, kNobody) != 0 ||
       ::setresuid(kNobody, kNobody, kNobody) != 0)) {
    return 100;
  }
  return ::unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0x7f) + 1;
}

std::string ProbeError(int code) {
  if (code == 0) return "ok";
  if (code == 100) return "could not drop to uid 65534 for the probe";
  if (code < 0) return "the probe child did not exit normally";
  return std::strerror(code - 1);
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string ReadOr(const std::string& path, const char* fallback = "") {
  auto text = sandbox::ReadSmallFile(path);
  return text ? *text : fallback;
}

std::string SysctlText(const char* path) { return Trimmed(ReadOr(path, "absent")); }

// v1: the enabled controllers listed in /proc/cgroups.
std::string V1Controllers() {
  auto table = sandbox::ReadSmallFile("/proc/cgroups");
  if (!table) return "";
  std::istringstream in(*table);
  std::string line, names;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    int hierarchy = 0, count = 0, enabled = 0;
    if (fields >> name >> hierarchy >> count >> enabled && enabled == 1) {
      names += (names.empty() ? "" : " ") + name;
    }
  }
  return names;
}

std::string ParentDir(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

const char* CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass: return "pass";
    case CheckStatus::kWarn: return "warn";
    case CheckStatus::kFail: return "fail";
  }
  return "fail";
}

std::pair<int, int> ParseKernelRelease(const std::string& release) {
  int major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &major, &minor) != 2) return {0, 0};
  return {major, minor};
}

CheckResult CheckKernelVersion() {
  utsname uts{};
  ::uname(&uts);
  const std::string release = uts.release;
  const auto version = ParseKernelRelease(release);
  const std::string detail = std::string(uts.sysname) + " " + release;
  if (version < std::pair{5, 3}) {
    return Make("kernel", CheckStatus::kFail, detail + ": no clone3",
                "the namespace sandbox needs Linux >= 5.3 (clone3); 5.14+ recommended");
  }
  if (version < std::pair{5, 14}) {
    return Make("kernel", CheckStatus::kWarn,
                detail +
                    ": cgroup v2 sandboxes need 5.7 (CLONE_INTO_CGROUP); no cgroup.kill "
                    "before 5.14 (groups are killed pid by pid)",
                "upgrade to Linux >= 5.14");
  }
  return Make("kernel", CheckStatus::kPass, detail);
}

CheckResult CheckUserNamespaces() {
  const std::string sysctls =
      "user.max_user_namespaces=" + SysctlText("/proc/sys/user/max_user_namespaces") +
      ", kernel.unprivileged_userns_clone=" +
      SysctlText("/proc/sys/kernel/unprivileged_userns_clone");
  const int own = RunInChild([] { return UnshareUserProbe(false); });
  if (own != 0) {
    return Make("user_namespaces", CheckStatus::kFail,
                "unshare(CLONE_NEWUSER) as uid " + std::to_string(::geteuid()) + ": " +
                    ProbeError(own) + " (" + sysctls + ")",
                "enable user namespaces: sysctl -w user.max_user_namespaces=15000 (and "
                "kernel.unprivileged_userns_clone=1 where it exists); in a container, run "
                "with a seccomp/AppArmor profile that allows unshare");
  }
  if (::geteuid() != 0) {
    return Make("user_namespaces", CheckStatus::kPass,
                "unprivileged unshare(CLONE_NEWUSER) works (" + sysctls + ")");
  }
  const int unprivileged = RunInChild([] { return UnshareUserProbe(true); });
  if (unprivileged != 0) {
    return Make("user_namespaces", CheckStatus::kWarn,
                "root can create user namespaces, an unprivileged user cannot: " +
                    ProbeError(unprivileged) + " (" + sysctls + ")",
                "fine for hotplexd running as root; for unprivileged use: "
                "sysctl -w kernel.unprivileged_userns_clone=1");
  }
  return Make("user_namespaces", CheckStatus::kPass,
              "root and unprivileged (uid 65534) unshare(CLONE_NEWUSER) work (" + sysctls + ")");
}

CheckResult CheckCgroups() {
  auto layout = sandbox::DetectCgroupLayout("", 0);
  if (!layout) {
    return Make("cgroups", CheckStatus::kFail, layout.error().Describe(),
                "mount cgroup2 on /sys/fs/cgroup with the memory and pids controllers "
                "(systemd.unified_cgroup_hierarchy=1), or the v1 memory/pids/cpu/freezer "
                "hierarchies");
  }
  const bool v2 = layout->version == 2;
  const std::string mount = v2 ? ParentDir(layout->root) : layout->root;
  const std::string controllers =
      v2 ? Trimmed(ReadOr(mount + "/cgroup.controllers")) : V1Controllers();
  const std::string detail =
      "v" + std::to_string(layout->version) + " at " + mount + "; controllers: " + controllers;
  const std::string writable_dir = v2 ? mount : mount + "/memory";
  if (::access(writable_dir.c_str(), W_OK) != 0) {
    return Make("cgroups", CheckStatus::kFail, detail + "; " + writable_dir + " is not writable",
                "run hotplexd as root with a writable cgroup hierarchy (in a container: "
                "--cgroupns=private and a read-write /sys/fs/cgroup)");
  }
  if (controllers.find("cpu") == std::string::npos) {
    return Make("cgroups", CheckStatus::kWarn, detail + "; no cpu controller (cpu limits ignored)",
                "enable the cpu controller (cgroup.subtree_control of the parent group)");
  }
  return Make("cgroups", CheckStatus::kPass, detail);
}

CheckResult CheckSeccomp() {
  auto program = sandbox::SeccompProgram::Build({});
  if (!program) {
    return Make("seccomp", CheckStatus::kFail, "building the filter: " + program.error().Describe(),
                "install libseccomp2 (Debian: apt-get install libseccomp2)");
  }
  // unshare(0) is a no-op that the default profile denies with EPERM: seeing
  // EPERM proves the filter is installed and enforced.
  const int code = RunInChild([&program] {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 2;
    if (program->Install() != 0) return 3;
    return ::syscall(SYS_unshare, 0) == -1 && errno == EPERM ? 0 : 4;
  });
  const std::string size = std::to_string(program->InstructionCount()) + " BPF instructions";
  if (code == 0) {
    return Make("seccomp", CheckStatus::kPass,
                "filter installed and enforced (" + size + "; a denied syscall got EPERM)");
  }
  return Make("seccomp", CheckStatus::kFail,
              code == 4
                  ? "filter installed but a denied syscall was not refused"
                  : "the filter could not be installed (probe exit " + std::to_string(code) + ")",
              "use a kernel with CONFIG_SECCOMP_FILTER=y; in a container, allow prctl/seccomp");
}

}  // namespace hotplex::supervisor
