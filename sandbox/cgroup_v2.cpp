// cgroup v2: one directory per sandbox under the layout root; the child is born
// inside it through CLONE_INTO_CGROUP, and cgroup.kill ends the whole group.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <thread>

#include "common/unique_fd.hpp"
#include "sandbox/cgroup.hpp"
#include "sandbox/fs_util.hpp"

namespace hotplex::sandbox {
namespace {

std::string Parent(const std::string& dir) { return dir.substr(0, dir.find_last_of('/')); }

// Enables `controller` for the children of the layout root (and of its parent,
// so that the root itself has it).
Status EnableController(const std::string& root, const char* controller) {
  const std::string add = std::string("+") + controller;
  for (const std::string& dir : {Parent(root), root}) {
    auto current = ReadSmallFile(dir + "/cgroup.subtree_control");
    if (current && current->find(controller) != std::string::npos) continue;
    auto written = WriteControlFile(dir + "/cgroup.subtree_control", add);
    if (!written) {
      return MakeError("cgroup v2 controller '" + std::string(controller) +
                       "' cannot be enabled in " + dir + ": " + written.error().Describe());
    }
  }
  return {};
}

class CgroupV2 final : public Cgroup {
 public:
  CgroupV2(std::string dir, UniqueFd fd) : dir_(std::move(dir)), fd_(std::move(fd)) {}
  ~CgroupV2() override {
    (void)KillAll();
    fd_.Reset();
    // rmdir succeeds once the killed processes are gone; bounded wait.
    for (int i = 0; i < 2000; ++i) {
      if (::rmdir(dir_.c_str()) == 0 || errno != EBUSY) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  int Version() const override { return 2; }
  int DirFd() const override { return fd_.Get(); }
  Status AddProcess(pid_t pid) override {
    return WriteControlFile(dir_ + "/cgroup.procs", std::to_string(pid));
  }
  Status KillAll() override {
    if (WriteControlFile(dir_ + "/cgroup.kill", "1")) return {};
    // Kernels before 5.14 have no cgroup.kill: signal the members one by one.
    KillProcsListedIn(dir_ + "/cgroup.procs");
    return {};
  }
  std::uint64_t OomKills() const override {
    return ReadKeyedCounter(dir_ + "/memory.events", "oom_kill");
  }
  std::uint64_t MemoryPeak() const override {
    auto text = ReadSmallFile(dir_ + "/memory.peak");
    return text ? std::strtoull(text->c_str(), nullptr, 10) : 0;
  }
  std::vector<std::string> Paths() const override { return {dir_}; }

 private:
  std::string dir_;
  UniqueFd fd_;
};

Status ApplyLimits(const std::string& dir, const Limits& limits) {
  if (limits.memory_bytes) {
    HOTPLEX_TRY_STATUS(WriteControlFile(dir + "/memory.max", std::to_string(limits.memory_bytes)));
    // No swap: a memory limit that can spill to swap is not a limit. Absent
    // without swap accounting, which is fine.
    (void)WriteControlFile(dir + "/memory.swap.max", "0");
  }
  if (limits.pids)
    HOTPLEX_TRY_STATUS(WriteControlFile(dir + "/pids.max", std::to_string(limits.pids)));
  if (limits.cpu_cores > 0)
    HOTPLEX_TRY_STATUS(WriteControlFile(dir + "/cpu.max", CpuMaxValue(limits.cpu_cores)));
  return {};
}

}  // namespace

Result<std::unique_ptr<Cgroup>> CreateCgroupV2(const CgroupLayout& layout, const std::string& name,
                                               const Limits& limits) {
  HOTPLEX_TRY_STATUS(MakeDirs(layout.root));
  if (limits.memory_bytes) HOTPLEX_TRY_STATUS(EnableController(layout.root, "memory"));
  if (limits.pids) HOTPLEX_TRY_STATUS(EnableController(layout.root, "pids"));
  if (limits.cpu_cores > 0) HOTPLEX_TRY_STATUS(EnableController(layout.root, "cpu"));
  const std::string dir = layout.root + "/" + name;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("mkdir cgroup", dir);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoError("open cgroup", dir);
  auto cgroup = std::make_unique<CgroupV2>(dir, std::move(fd));
  HOTPLEX_TRY_STATUS(ApplyLimits(dir, limits));
  return std::unique_ptr<Cgroup>(std::move(cgroup));
}

}  // namespace hotplex::sandbox
