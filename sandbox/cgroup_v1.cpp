// cgroup v1 fallback: one directory per sandbox in each of the memory, pids,
// cpu and freezer hierarchies. Kill = freeze, SIGKILL every member, thaw.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <thread>

#include "sandbox/cgroup.hpp"
#include "sandbox/fs_util.hpp"

namespace hotplex::sandbox {
namespace {

constexpr std::array<const char*, 4> kControllers = {"memory", "pids", "cpu", "freezer"};
enum Index { kMemory = 0, kPids = 1, kCpu = 2, kFreezer = 3 };

class CgroupV1 final : public Cgroup {
 public:
  explicit CgroupV1(std::array<std::string, 4> dirs) : dirs_(std::move(dirs)) {}
  ~CgroupV1() override {
    (void)KillAll();
    for (const auto& dir : dirs_) {
      for (int i = 0; i < 2000; ++i) {
        if (::rmdir(dir.c_str()) == 0 || errno != EBUSY) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }

  int Version() const override { return 1; }
  int DirFd() const override { return -1; }
  Status AddProcess(pid_t pid) override {
    for (const auto& dir : dirs_) {
      HOTPLEX_TRY_STATUS(WriteControlFile(dir + "/cgroup.procs", std::to_string(pid)));
    }
    return {};
  }
  Status KillAll() override;
  std::uint64_t OomKills() const override {
    return ReadKeyedCounter(dirs_[kMemory] + "/memory.oom_control", "oom_kill");
  }
  std::uint64_t MemoryPeak() const override {
    auto text = ReadSmallFile(dirs_[kMemory] + "/memory.max_usage_in_bytes");
    return text ? std::strtoull(text->c_str(), nullptr, 10) : 0;
  }
  std::vector<std::string> Paths() const override { return {dirs_.begin(), dirs_.end()}; }

 private:
  std::array<std::string, 4> dirs_;
};

Status CgroupV1::KillAll() {
  const std::string& freezer = dirs_[kFreezer];
  // Usually the pid namespace is already gone with its init: nothing to freeze.
  auto members = ReadSmallFile(freezer + "/cgroup.procs");
  if (members && members->empty()) return {};
  // Freezing first stops a fork bomb from outrunning the kill loop.
  const bool frozen = static_cast<bool>(WriteControlFile(freezer + "/freezer.state", "FROZEN"));
  for (int i = 0; frozen && i < 1000; ++i) {
    auto state = ReadSmallFile(freezer + "/freezer.state");
    if (!state || state->rfind("FROZEN", 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  KillProcsListedIn(freezer + "/cgroup.procs");
  if (frozen) (void)WriteControlFile(freezer + "/freezer.state", "THAWED");
  // Stragglers that were mid-fork while freezing.
  for (int i = 0; i < 100 && KillProcsListedIn(freezer + "/cgroup.procs") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return {};
}

Status ApplyLimits(const std::array<std::string, 4>& dirs, const Limits& limits) {
  if (limits.memory_bytes) {
    const std::string bytes = std::to_string(limits.memory_bytes);
    HOTPLEX_TRY_STATUS(WriteControlFile(dirs[kMemory] + "/memory.limit_in_bytes", bytes));
    // memory+swap: only present with swap accounting; without it there is no swap to use.
    (void)WriteControlFile(dirs[kMemory] + "/memory.memsw.limit_in_bytes", bytes);
  }
  if (limits.pids)
    HOTPLEX_TRY_STATUS(WriteControlFile(dirs[kPids] + "/pids.max", std::to_string(limits.pids)));
  if (limits.cpu_cores > 0) {
    const std::string value = CpuMaxValue(limits.cpu_cores);
    const auto space = value.find(' ');
    HOTPLEX_TRY_STATUS(
        WriteControlFile(dirs[kCpu] + "/cpu.cfs_period_us", value.substr(space + 1)));
    HOTPLEX_TRY_STATUS(WriteControlFile(dirs[kCpu] + "/cpu.cfs_quota_us", value.substr(0, space)));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Cgroup>> CreateCgroupV1(const CgroupLayout& layout, const std::string& name,
                                               const Limits& limits) {
  std::array<std::string, 4> dirs;
  for (std::size_t i = 0; i < kControllers.size(); ++i) {
    dirs[i] = layout.root + "/" + kControllers[i] + "/" + layout.group + "/" + name;
    HOTPLEX_TRY_STATUS(MakeDirs(dirs[i]));
  }
  auto cgroup = std::make_unique<CgroupV1>(dirs);
  HOTPLEX_TRY_STATUS(ApplyLimits(dirs, limits));
  return std::unique_ptr<Cgroup>(std::move(cgroup));
}

}  // namespace hotplex::sandbox
