// Docker bind sources (issue 14 item 8): dockerd resolves a bind source path
// again, as root, following a symlink in any component. A tenant that swaps a
// workspace subdirectory with a symlink to a root-owned host directory while
// its client creates sessions on `x/sub` must never get a container whose
// workdir is that host directory, and a symlink planted in the middle of a
// workdir is refused with the host directory untouched. Against the real
// `hotplexd serve` with the docker backend (image hotplex/sandbox-test:
// scripts/docker-setup builds it).
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kRaceAttempts = 100;
constexpr auto kRaceBudget = std::chrono::seconds(35);

struct HostDir {
  uid_t uid;
  mode_t mode;
  std::set<std::string> names;
  bool operator==(const HostDir&) const = default;
};

HostDir Describe(const std::string& dir) {
  struct stat st {};
  ::lstat(dir.c_str(), &st);
  HostDir d{st.st_uid, st.st_mode & 07777, {}};
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    d.names.insert(it->path().filename().string());
  }
  return d;
}

// Host processes whose working directory is `dir`: a container's init runs in
// its WorkingDir, the workdir bind's target, so one bound from `dir` shows here.
int ProcessesIn(const std::string& dir) {
  struct stat want {};
  if (::stat(dir.c_str(), &want) != 0) return 0;
  int found = 0;
  DIR* proc = ::opendir("/proc");
  while (const dirent* e = proc ? ::readdir(proc) : nullptr) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    struct stat st {};
    const std::string cwd = std::string("/proc/") + e->d_name + "/cwd";
    if (::stat(cwd.c_str(), &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino) {
      ++found;
    }
  }
  if (proc) ::closedir(proc);
  return found;
}

class DockerPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
    HostileOptions options;
    options.backend = "docker";
    options.image = "hotplex/sandbox-test";
    daemon_ = std::make_unique<HostileDaemon>(options);
    // A root-owned host directory the tenant must never see: <dir>/host/sub/SECRET.
    host_ = daemon_->Dir() + "/host";
    fs::create_directories(host_ + "/sub");
    std::ofstream(host_ + "/sub/SECRET") << "host secret\n";
    ::chmod((host_ + "/sub/SECRET").c_str(), 0600);
    ::chmod((host_ + "/sub").c_str(), 0700);
    ::chmod(host_.c_str(), 0700);
    before_ = Describe(host_);
    before_sub_ = Describe(host_ + "/sub");
    auto failed = daemon_->Start();
    ASSERT_FALSE(failed) << *failed;
  }

  // A graceful stop: the backend removes its (empty) staging directory.
  void TearDown() override {
    if (daemon_) daemon_->Stop();
  }

  void ExpectHostUntouched() {
    EXPECT_EQ(Describe(host_), before_) << "the host directory changed";
    EXPECT_EQ(Describe(host_ + "/sub"), before_sub_) << "the host directory changed";
  }

  std::unique_ptr<HostileDaemon> daemon_;
  std::string host_;
  HostDir before_, before_sub_;
};

TEST_F(DockerPaths, SymlinkInTheMiddleOfTheWorkdirIsRefused) {
  const std::string ws = daemon_->WorkspaceOf("a");
  fs::create_directories(ws);
  fs::create_directory_symlink(host_, ws + "/evil");
  ASSERT_EQ(::lchown((ws + "/evil").c_str(), HostileDaemon::kUidA, HostileDaemon::kUidA), 0);
  Reply why;
  const std::string id = daemon_->CreateShell("a", "evil/sub", &why);
  EXPECT_TRUE(id.empty()) << "a session on evil/sub was created";
  EXPECT_GE(why.status, 400) << why.raw;
  EXPECT_LT(why.status, 500) << why.raw;
  EXPECT_EQ(ProcessesIn(host_ + "/sub"), 0) << "a container runs in the host directory";
  ExpectHostUntouched();
}

TEST_F(DockerPaths, SwappingASubdirectoryWithASymlinkNeverBindsTheHostDirectory) {
  Reply why;
  const std::string attacker = daemon_->CreateShell("a", "", &why);
  ASSERT_FALSE(attacker.empty()) << why.status << " " << why.raw << daemon_->Stderr();
  // In its own container: x/sub a real directory, l a symlink to the host
  // directory's parent; then x and l exchanged (renameat2 RENAME_EXCHANGE) in a
  // loop, bounded in time, until the test writes `stop`. The pauses (5-60 ms)
  // are of the order of a container create, so that both the daemon's checks
  // pass and the swap lands before dockerd resolves the path in many attempts.
  const std::string script =
      "mkdir -p x/sub && ln -sfn " + host_ +
      " l && "
      "python3 -c 'import ctypes,os,random,time\n"
      "libc=ctypes.CDLL(None,use_errno=True)\n"
      "end=time.time()+60\n"
      "while time.time()<end and not os.path.exists(\"stop\"):\n"
      "  libc.renameat2(-100,b\"x\",-100,b\"l\",2)\n"
      "  time.sleep(random.uniform(0.005,0.06))\n' >/dev/null 2>&1 &\necho started";
  auto out = daemon_->Sh(attacker, script);
  ASSERT_TRUE(out && out->find("started") != std::string::npos) << (out ? *out : "no answer");

  int created = 0, refused = 0, leaked = 0, attempts = 0;
  std::set<std::string> reasons;
  const auto deadline = Clock::now() + kRaceBudget;
  for (; attempts < kRaceAttempts && Clock::now() < deadline; ++attempts) {
    Reply failed;
    const std::string victim = daemon_->CreateShell("a", "x/sub", &failed);
    if (victim.empty()) {
      ++refused;
      reasons.insert(std::to_string(failed.status) + " " + failed.raw.substr(0, 160));
      // A refusal takes a millisecond: without a pause every attempt would
      // sample the same phase of the swap loop.
      std::this_thread::sleep_for(std::chrono::milliseconds(10 + attempts * 7 % 30));
      continue;
    }
    ++created;
    leaked += ProcessesIn(host_ + "/sub") > 0 ? 1 : 0;
    daemon_->Call("DELETE", "/v1/sessions/" + victim);
  }
  std::ofstream(daemon_->WorkspaceOf("a") + "/stop") << "";
  daemon_->Call("DELETE", "/v1/sessions/" + attacker);
  RecordProperty("attempts", attempts);
  RecordProperty("created", created);
  RecordProperty("leaked", leaked);
  std::printf("race: %d attempts, %d created, %d refused, %d bound the host directory\n", attempts,
              created, refused, leaked);
  for (const std::string& r : reasons) std::printf("  refused: %s\n", r.c_str());
  EXPECT_EQ(leaked, 0) << leaked << " of " << created
                       << " containers ran in the root-owned host directory";
  EXPECT_GT(created, 0) << "no session on x/sub was ever created: the race was not run";
  ExpectHostUntouched();
}

}  // namespace
}  // namespace hotplex::testing
