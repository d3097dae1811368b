#include "sandbox/cgroup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "sandbox/fs_util.hpp"

namespace hotplex::sandbox {
namespace {

constexpr const char* kV2Mount = "/sys/fs/cgroup";
constexpr const char* kV2HybridMount = "/sys/fs/cgroup/unified";

bool HasV2Controllers(const std::string& dir) {
  auto controllers = ReadSmallFile(dir + "/cgroup.controllers");
  if (!controllers) return false;
  return controllers->find("memory") != std::string::npos &&
         controllers->find("pids") != std::string::npos;
}

bool HasV1Controllers(const std::string& base) {
  for (const char* c : {"memory", "pids", "cpu", "freezer"}) {
    struct stat st {};
    if (::stat((base + "/" + c + "/cgroup.procs").c_str(), &st) != 0) return false;
  }
  return true;
}

}  // namespace

int KillProcsListedIn(const std::string& procs_file) {
  auto procs = ReadSmallFile(procs_file);
  if (!procs) return 0;
  int listed = 0;
  const char* p = procs->c_str();
  while (*p) {
    char* end = nullptr;
    const long pid = std::strtol(p, &end, 10);
    if (end == p) break;
    if (pid > 0) {
      ::kill(static_cast<pid_t>(pid), SIGKILL);
      ++listed;
    }
    p = *end ? end + 1 : end;
  }
  return listed;
}

std::string CpuMaxValue(double cores) {
  constexpr long kPeriod = 100000;
  const long quota = std::lround(cores * kPeriod);
  return std::to_string(quota < 1000 ? 1000 : quota) + " " + std::to_string(kPeriod);
}

Result<CgroupLayout> DetectCgroupLayout(const std::string& root_override, int version_override) {
  CgroupLayout layout;
  if (version_override == 2 ||
      (version_override == 0 && !root_override.empty() && HasV2Controllers(root_override))) {
    layout.version = 2;
    layout.root = root_override.empty() ? std::string(kV2Mount) + "/hotplex" : root_override;
    return layout;
  }
  if (version_override == 1) {
    layout.version = 1;
    layout.root = root_override.empty() ? kV2Mount : root_override;
    return layout;
  }
  if (root_override.empty()) {
    for (const char* mount : {kV2Mount, kV2HybridMount}) {
      if (HasV2Controllers(mount)) {
        layout.version = 2;
        layout.root = std::string(mount) + "/hotplex";
        return layout;
      }
    }
  }
  const std::string base = root_override.empty() ? kV2Mount : root_override;
  if (HasV1Controllers(base)) {
    layout.version = 1;
    layout.root = base;
    return layout;
  }
  return MakeError(
      "no usable cgroup hierarchy: need cgroup v2 with the memory and pids controllers, or "
      "cgroup v1 with memory, pids, cpu and freezer mounted under " +
      base);
}

Result<std::unique_ptr<Cgroup>> CreateCgroup(const CgroupLayout& layout, const std::string& name,
                                             const Limits& limits) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    return MakeError("invalid cgroup name '" + name + "'");
  }
  return layout.version == 2 ? CreateCgroupV2(layout, name, limits)
                             : CreateCgroupV1(layout, name, limits);
}

}  // namespace hotplex::sandbox
