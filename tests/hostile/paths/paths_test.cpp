// Hostile paths (issue 14 items 1, 2, 9): tenant a plants symlinks in its
// workspace, and swaps a real directory with a symlink while its client
// creates sessions there, aiming at tenant b's workspace, a root-owned 0700
// directory and the daemon's state dir. Root must never create, chown or
// mount anything through such a link; refusals are 400s and are audited.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct DirState {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;
  std::set<std::string> entries;
  bool operator==(const DirState&) const = default;
};

DirState Snapshot(const std::string& dir, bool with_entries = true) {
  DirState st;
  struct stat s {};
  if (::stat(dir.c_str(), &s) != 0) return st;
  st.uid = s.st_uid;
  st.gid = s.st_gid;
  st.mode = s.st_mode;
  if (!with_entries) return st;
  for (const auto& e : fs::directory_iterator(dir)) st.entries.insert(e.path().filename().string());
  return st;
}

void WriteSecret(const std::string& dir, uid_t uid) {
  std::ofstream(dir + "/SECRET") << "secret of " << dir << "\n";
  ASSERT_EQ(::chown((dir + "/SECRET").c_str(), uid, uid), 0);
}

std::string MakeRootDir(const HostileDaemon& daemon, const std::string& name) {
  const std::string dir = daemon.Dir() + "/" + name;
  fs::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  return dir;
}

class HostilePaths : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
    auto failed = daemon_.Start();
    ASSERT_FALSE(failed) << *failed;
    Reply why;
    shell_b_ = daemon_.CreateShell("b", "", &why);  // tenant b's workspace exists
    ASSERT_FALSE(shell_b_.empty()) << why.status << " " << why.raw;
    WriteSecret(daemon_.WorkspaceOf("b"), HostileDaemon::kUidB);
    root_dir_ = MakeRootDir(daemon_, "root-only");
    WriteSecret(root_dir_, 0);
    shell_a_ = daemon_.CreateShell("a", "", &why);
    ASSERT_FALSE(shell_a_.empty()) << why.status << " " << why.raw;
  }

  // SIGTERM, not the driver's SIGKILL: a sandbox killed just before (DELETE)
  // must be reaped; a daemon killed in the middle of a cgroup v1 kill leaves
  // that sandbox frozen.
  void TearDown() override { daemon_.Stop(); }

  // The victims: another tenant's workspace, a root-owned 0700 dir, the state dir.
  std::vector<std::pair<std::string, std::string>> Victims() const {
    return {{"b", daemon_.WorkspaceOf("b")}, {"root", root_dir_}, {"state", daemon_.StateDir()}};
  }

  std::vector<json> RefusalsAudited(std::size_t at_least) const {
    std::vector<json> entries;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    do {
      Reply r = daemon_.Admin("GET", "/admin/v1/audit?type=workdir.refused&tenant=a&limit=1000");
      if (r.status == 200) entries = r.body["entries"].get<std::vector<json>>();
      if (entries.size() >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < deadline);
    return entries;
  }

  // One series of the daemon's /metrics ("name{labels}"), 0 if absent.
  double Metric(const std::string& series) const {
    std::istringstream in(daemon_.Admin("GET", "/metrics").raw);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return 0;
  }

  HostileDaemon daemon_;
  std::string shell_a_, shell_b_, root_dir_;
};

TEST_F(HostilePaths, SymlinkedWorkdirIsRefusedNothingIsTouchedAndItIsAudited) {
  const double links_before = Metric("hotplex_workdir_refused_total{reason=\"link\"}");
  for (const auto& [name, victim] : Victims()) {
    auto out = daemon_.Sh(shell_a_, "ln -s " + victim + " evil_" + name + " && echo linked");
    ASSERT_TRUE(out && out->find("linked") != std::string::npos) << (out ? *out : "no answer");
  }
  for (const auto& [name, victim] : Victims()) {
    const bool entries = name != "state";  // the daemon itself writes there
    const DirState before = Snapshot(victim, entries);
    for (const std::string& workdir : {"evil_" + name, "evil_" + name + "/x"}) {
      Reply why;
      const std::string id = daemon_.CreateShell("a", workdir, &why);
      EXPECT_TRUE(id.empty()) << workdir << ": a session was created on a link to " << victim;
      EXPECT_EQ(why.status, 400) << workdir << ": " << why.raw;
    }
    EXPECT_TRUE(Snapshot(victim, entries) == before)
        << victim << " was changed: owner/mode " << Snapshot(victim).uid << "/" << std::oct
        << Snapshot(victim).mode << " (was " << std::dec << before.uid << "/" << std::oct
        << before.mode << ")";
    EXPECT_FALSE(fs::exists(victim + "/x")) << "root created x inside " << victim;
  }
  const auto audited = RefusalsAudited(6);
  EXPECT_GE(audited.size(), 6u) << "refusals are not audited";
  for (const json& entry : audited) {
    EXPECT_TRUE(entry.contains("data")) << entry.dump();
    EXPECT_NE(entry.dump().find("evil_"), std::string::npos) << entry.dump();
  }
  EXPECT_GE(Metric("hotplex_workdir_refused_total{reason=\"link\"}") - links_before, 6)
      << "refusals are not counted in /metrics";
}

TEST_F(HostilePaths, OverlongWorkdirIsABadRequestNamingTheLimit) {
  const double long_before = Metric("hotplex_workdir_refused_total{reason=\"too_long\"}");
  const double outside_before = Metric("hotplex_workdir_refused_total{reason=\"outside\"}");
  Reply why;
  EXPECT_TRUE(daemon_.CreateShell("a", std::string(5000, 'x'), &why).empty());
  EXPECT_EQ(why.status, 400) << why.raw.substr(0, 300);
  EXPECT_NE(why.raw.find("1024 bytes"), std::string::npos) << why.raw.substr(0, 300);
  EXPECT_TRUE(daemon_.CreateShell("a", "../b", &why).empty());
  EXPECT_EQ(why.status, 400) << why.raw;
  EXPECT_TRUE(daemon_.CreateShell("a", "/etc", &why).empty());
  EXPECT_EQ(why.status, 400) << why.raw;
  EXPECT_EQ(Metric("hotplex_workdir_refused_total{reason=\"too_long\"}") - long_before, 1);
  EXPECT_EQ(Metric("hotplex_workdir_refused_total{reason=\"outside\"}") - outside_before, 2);
}

TEST_F(HostilePaths, LinkPlantedWhereAHomeWouldBeIsNotFollowed) {
  const std::string victim = MakeRootDir(daemon_, "home-victim");
  // A key of its own per run: the same key gives the same session id, and the
  // same sandbox (cgroup) name, in every daemon.
  const std::string key = "home-link-" + fs::path(daemon_.Dir()).filename().string();
  const json request{{"provider", "exec"}, {"argv", {"/bin/sh"}}, {"key", key}};
  Reply made = daemon_.Call("POST", "/v1/sessions", request);
  ASSERT_EQ(made.status, 201) << made.raw;
  const std::string id = made.body.value("id", "");
  ASSERT_LT(daemon_.Call("DELETE", "/v1/sessions/" + id).status, 300);
  // The same key gives the same id, hence the same home path.
  const std::string home = daemon_.StateDir() + "/homes/" + id;
  fs::remove_all(home);
  ASSERT_EQ(::symlink(victim.c_str(), home.c_str()), 0);
  const DirState before = Snapshot(victim);
  Reply again = daemon_.Call("POST", "/v1/sessions", request);
  EXPECT_GE(again.status, 400) << "a session was created with its home on a link: " << again.raw;
  EXPECT_TRUE(Snapshot(victim) == before) << victim << " was changed through the home link";
  EXPECT_TRUE(fs::is_empty(victim));
}

// A session restored after a restart resolves its workdir again, beneath the
// workspace root, at its next start: a 400, audited. (The old code refused it
// too, by its path check at launch, but as a 503 setup failure, unaudited.)
TEST_F(HostilePaths, RestoredSessionIsResolvedAgainAtItsNextStart) {
  Reply why;
  const std::string id = daemon_.CreateShell("a", "restored", &why);
  ASSERT_FALSE(id.empty()) << why.status << " " << why.raw;
  daemon_.Stop();
  const std::string dir = daemon_.WorkspaceOf("a") + "/restored";
  fs::remove_all(dir);
  ASSERT_EQ(::symlink(root_dir_.c_str(), dir.c_str()), 0);
  const DirState before = Snapshot(root_dir_);
  auto failed = daemon_.Start();
  ASSERT_FALSE(failed) << *failed;
  Reply sent = daemon_.Call("POST", "/v1/sessions/" + id + "/messages", {{"text", "ls"}});
  EXPECT_EQ(sent.status, 400) << sent.raw;
  EXPECT_TRUE(Snapshot(root_dir_) == before) << root_dir_ << " was changed";
  bool audited = false;
  for (const json& entry : RefusalsAudited(1))
    audited |= entry.dump().find("restored") != std::string::npos;
  EXPECT_TRUE(audited) << "the refusal at start is not audited";
}

// The race: tenant a's swapper exchanges `race` (a real directory holding
// MINE) and `race_link` (a symlink to the victim) as fast as it can while the
// client creates sessions on workdir `race`. Each created session looks at
// its workdir: it must be the tenant's own directory, never the victim.
TEST_F(HostilePaths, SwappedWorkdirNeverMountsTheVictim) {
  const std::string swapper = daemon_.WorkspaceOf("a") + "/swapper";
  fs::copy_file(HOSTILE_SWAPPER, swapper, fs::copy_options::overwrite_existing);
  ASSERT_EQ(::chown(swapper.c_str(), HostileDaemon::kUidA, HostileDaemon::kUidA), 0);
  ::chmod(swapper.c_str(), 0755);
  constexpr int kAttemptsPerVictim = 150;
  constexpr auto kTimePerVictim = std::chrono::seconds(13);
  const auto started = std::chrono::steady_clock::now();
  int attempts = 0, created = 0, own = 0;
  std::string won;
  for (const auto& [name, victim] : Victims()) {
    // Relative: the child resolves a bind source under its staging root, where
    // an absolute link target would not exist.
    const std::string target =
        fs::path(victim).lexically_relative(daemon_.WorkspaceOf("a")).string();
    auto armed = daemon_.Sh(
        shell_a_, "rm -rf race race_link; mkdir race && touch race/MINE && ln -s " + target +
                      " race_link && { ./swapper race race_link 15 "
                      ">/dev/null 2>&1 & echo $! > swapper.pid; } && echo armed");
    ASSERT_TRUE(armed && armed->find("armed") != std::string::npos)
        << (armed ? *armed : "no answer");
    const auto until = std::chrono::steady_clock::now() + kTimePerVictim;
    for (int i = 0; i < kAttemptsPerVictim && std::chrono::steady_clock::now() < until; ++i) {
      ++attempts;
      Reply why;
      const std::string id = daemon_.CreateShell("a", "race", &why);
      if (id.empty()) continue;
      ++created;
      auto seen = daemon_.Sh(id, "ls -a; stat -c owner=%u .", "a", std::chrono::seconds(10));
      daemon_.Call("DELETE", "/v1/sessions/" + id);
      if (!seen) continue;
      const bool mine =
          seen->find("MINE") != std::string::npos && seen->find("owner=1000") != std::string::npos;
      if (mine) {
        ++own;
        continue;
      }
      won += "\n" + name + " (" + victim + ") on attempt " + std::to_string(i + 1) + ": " + *seen;
      break;  // this victim is lost; try the next one
    }
    daemon_.Sh(shell_a_, "kill $(cat swapper.pid) 2>/dev/null; rm -f swapper.pid; echo stopped");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "race: " << attempts << " attempts, " << created << " sessions created, " << own
            << " saw their own directory, " << seconds << " s\n";
  EXPECT_TRUE(won.empty()) << "the attacker won:" << won;
  EXPECT_GT(own, 0) << "no session ever got the real directory: the race proved nothing";
  for (const auto& [name, victim] : Victims()) {
    if (name != "state") {
      EXPECT_FALSE(fs::exists(victim + "/MINE")) << victim;
    }
  }
}

}  // namespace
}  // namespace hotplex::testing
