// Cgroup: one control group per sandbox, with memory, pids and CPU limits.
//
// cgroup v2 first (memory.max, pids.max, cpu.max, cgroup.kill, memory.events),
// cgroup v1 as the fallback (memory/pids/cpu/freezer hierarchies). The Cgroup
// object owns the directories: its destructor kills what is left in them and
// removes them. Thread-safety: one owner at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox {

struct CgroupLayout {
  int version = 2;
  // v2: the directory under which sandbox cgroups are created (e.g.
  // /sys/fs/cgroup/hotplex). v1: the directory holding the controller
  // mounts (e.g. /sys/fs/cgroup); sandboxes go to <root>/<controller>/<group>/.
  std::string root;
  std::string group = "hotplex";  // v1 only: the parent group under each controller
};

// Picks v2 when its hierarchy has the memory and pids controllers available,
// else v1 when its memory, pids, cpu and freezer hierarchies are mounted.
// `root_override`/`version_override` come from BackendOptions (empty/0 = auto).
Result<CgroupLayout> DetectCgroupLayout(const std::string& root_override, int version_override);

class Cgroup {
 public:
  virtual ~Cgroup() = default;
  virtual int Version() const = 0;
  // v2: directory fd for CLONE_INTO_CGROUP; -1 on v1.
  virtual int DirFd() const = 0;
  // Moves a process in (v1; on v2 only when it was not born inside).
  virtual Status AddProcess(pid_t pid) = 0;
  // Kills every process in the group (cgroup.kill, or freeze + SIGKILL on v1).
  virtual Status KillAll() = 0;
  // How many times the kernel's OOM killer fired inside the group.
  virtual std::uint64_t OomKills() const = 0;
  // Peak memory use in bytes, 0 when the kernel does not say.
  virtual std::uint64_t MemoryPeak() const = 0;
  // The directories this cgroup owns (for logs and tests).
  virtual std::vector<std::string> Paths() const = 0;
};

// Creates <layout>/<name> with `limits` applied; a limit of 0 is not written.
Result<std::unique_ptr<Cgroup>> CreateCgroup(const CgroupLayout& layout, const std::string& name,
                                             const Limits& limits);
Result<std::unique_ptr<Cgroup>> CreateCgroupV2(const CgroupLayout& layout, const std::string& name,
                                               const Limits& limits);
Result<std::unique_ptr<Cgroup>> CreateCgroupV1(const CgroupLayout& layout, const std::string& name,
                                               const Limits& limits);

// SIGKILLs every pid listed in a cgroup.procs file; returns how many were listed.
int KillProcsListedIn(const std::string& procs_file);

// "quota period" for cpu.max, e.g. 1.5 cores -> "150000 100000".
std::string CpuMaxValue(double cores);

}  // namespace hotplex::sandbox
