// The state dir is closed (issue 14 items 2, 5, 6, 9): every file under it has
// the layout's mode and owner, no other uid reads a tenant's files or the
// session table, a key file or database that someone else could have written
// is refused at restart, the open file limit is raised, and pid 1 inside a
// sandbox does not show the daemon's command line.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uid_t kNobodyUid = 60005;  // no tenant, no file: "any local user"
constexpr std::size_t kMaxWalk = 20000;

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool IsTenantUid(uid_t uid) { return uid == HostileDaemon::kUidA || uid == HostileDaemon::kUidB; }

struct Entry {
  std::string path;
  struct stat st {};
};

// Everything under `dir` (lstat), not descending into the tenants' own dirs.
void Walk(const std::string& dir, std::vector<Entry>& out, int depth = 0) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (out.size() >= kMaxWalk || depth > 8) return;
    Entry e{it->path().string()};
    if (::lstat(e.path.c_str(), &e.st) != 0) continue;
    out.push_back(e);
    if (S_ISDIR(e.st.st_mode) && !IsTenantUid(e.st.st_uid)) Walk(e.path, out, depth + 1);
  }
}

// Why `e` breaks the layout (supervisor/state_dir.hpp), or "".
std::string Offence(const HostileDaemon& d, const Entry& e) {
  const mode_t mode = e.st.st_mode & 07777;
  const std::string name = fs::path(e.path).filename().string();
  const std::string parent = fs::path(e.path).parent_path().filename().string();
  if (S_ISLNK(e.st.st_mode)) return "a symbolic link";
  if (IsTenantUid(e.st.st_uid)) {
    if (!S_ISDIR(e.st.st_mode) || (parent != "homes" && parent != "workspaces")) {
      return "owned by tenant uid " + std::to_string(e.st.st_uid) +
             " outside homes/ and workspaces/";
    }
    return (mode & 077) != 0 ? "tenant dir with mode " + Octal(mode) : "";
  }
  if (e.st.st_uid != 0) return "owner uid " + std::to_string(e.st.st_uid);
  if (S_ISDIR(e.st.st_mode)) {
    const bool traversed = e.path == d.StateDir() || e.path == d.StateDir() + "/workspaces" ||
                           e.path == d.StateDir() + "/homes";
    const mode_t want = traversed ? 0711 : 0700;
    return mode != want ? "dir mode " + Octal(mode) + ", want " + Octal(want) : "";
  }
  if (S_ISREG(e.st.st_mode)) return mode != 0600 ? "file mode " + Octal(mode) + ", want 0600" : "";
  return "not a file or directory";
}

// Which of `paths` a process with `uid` opens for reading: a forked child
// setuid()s and tries each (a directory opens only when it can be listed).
std::vector<std::string> ReadableAs(uid_t uid, const std::vector<std::string>& paths) {
  std::vector<const char*> names;
  for (const auto& p : paths) names.push_back(p.c_str());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {"pipe2 failed"};
  const pid_t pid = ::fork();
  if (pid == 0) {  // one thread here: syscalls only
    if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0) ::_exit(2);
    for (const char* name : names) {
      const int fd = ::open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
      const char ok = fd >= 0 ? 1 : 0;
      if (fd >= 0) ::close(fd);
      if (::write(fds[1], &ok, 1) != 1) ::_exit(3);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::vector<std::string> readable;
  for (const auto& p : paths) {
    char ok = 0;
    if (::read(fds[0], &ok, 1) != 1) {
      readable.push_back("(child failed before " + p + ")");
      break;
    }
    if (ok) readable.push_back(p);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return readable;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "\n  " + i;
  return out;
}

class StateDirHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
  }
  void StartWithShells() {
    auto failed = daemon_.Start();
    ASSERT_FALSE(failed) << *failed;
    for (const char* tenant : {"a", "b"}) {
      Reply why;
      shells_[tenant] = daemon_.CreateShell(tenant, "", &why);
      ASSERT_FALSE(shells_[tenant].empty()) << why.status << " " << why.raw;
      ASSERT_TRUE(daemon_.Sh(shells_[tenant],
                             "echo s3cret-" + std::string(tenant) + " > secret.txt", tenant))
          << daemon_.Stderr();
    }
  }
  HostileDaemon daemon_;
  std::map<std::string, std::string> shells_;
};

TEST_F(StateDirHostile, EveryFileUnderTheStateDirHasTheLayoutsModeAndOwner) {
  StartWithShells();
  std::vector<Entry> entries;
  Entry root{daemon_.StateDir()};
  ASSERT_EQ(::lstat(root.path.c_str(), &root.st), 0);
  entries.push_back(root);
  Walk(daemon_.StateDir(), entries);
  std::vector<std::string> offenders;
  for (const auto& e : entries) {
    if (auto why = Offence(daemon_, e); !why.empty()) offenders.push_back(e.path + ": " + why);
  }
  // The tenants' workspace roots (outside the state dir here) and their parent.
  for (auto [tenant, uid] : {std::pair{"a", HostileDaemon::kUidA}, {"b", HostileDaemon::kUidB}}) {
    struct stat st {};
    const std::string ws = daemon_.WorkspaceOf(tenant);
    ASSERT_EQ(::lstat(ws.c_str(), &st), 0);
    if (st.st_uid != uid || (st.st_mode & 077) != 0) {
      offenders.push_back(ws + ": workspace root uid " + std::to_string(st.st_uid) + " mode " +
                          Octal(st.st_mode));
    }
  }
  struct stat ws_parent {};
  ASSERT_EQ(::lstat((daemon_.Dir() + "/ws").c_str(), &ws_parent), 0);
  if ((ws_parent.st_mode & 066) != 0) {
    offenders.push_back(daemon_.Dir() + "/ws: parent of the workspaces, mode " +
                        Octal(ws_parent.st_mode));
  }
  EXPECT_GT(entries.size(), 5u);
  EXPECT_TRUE(offenders.empty()) << offenders.size() << " of " << entries.size()
                                 << " entries break the layout:" << Joined(offenders);
}

TEST_F(StateDirHostile, NoOtherUidReadsATenantsFilesOrTheSessionTable) {
  StartWithShells();
  const std::string secret = daemon_.WorkspaceOf("a") + "/secret.txt";
  // From b's shell, as b's uid, inside its jail.
  auto seen =
      daemon_.Sh(shells_["b"],
                 "cat " + secret + "; ls " + daemon_.WorkspaceOf("a") + "; head -c 16 " +
                     daemon_.StateDir() + "/sessions.db; ls " + daemon_.StateDir() + "/homes",
                 "b");
  ASSERT_TRUE(seen);
  EXPECT_THAT(*seen, Not(HasSubstr("s3cret-a")));
  EXPECT_THAT(*seen, Not(HasSubstr("SQLite format")));
  EXPECT_THAT(*seen, Not(HasSubstr(shells_["a"])));
  // From the host, as any local user and as b's uid: nothing of the state dir
  // or of a's workspace opens (b's own dirs aside).
  std::vector<Entry> entries;
  Walk(daemon_.StateDir(), entries);
  std::vector<std::string> nobody_paths = {daemon_.StateDir(), secret, daemon_.WorkspaceOf("a"),
                                           daemon_.Dir() + "/ws"};
  std::vector<std::string> b_paths = nobody_paths;
  for (const auto& e : entries) {
    nobody_paths.push_back(e.path);
    if (e.st.st_uid != HostileDaemon::kUidB) b_paths.push_back(e.path);
  }
  auto by_nobody = ReadableAs(kNobodyUid, nobody_paths);
  EXPECT_TRUE(by_nobody.empty()) << "uid " << kNobodyUid << " opens" << Joined(by_nobody);
  auto by_b = ReadableAs(HostileDaemon::kUidB, b_paths);
  EXPECT_TRUE(by_b.empty()) << "tenant b's uid opens" << Joined(by_b);
}

// A key file or database replaced or loosened while the daemon was down
// (the attack of item 2: a token of the attacker's choosing in admin-token).
struct Tamper {
  const char* name;
  const char* file;  // under the state dir; "" = the state dir itself
  std::function<void(const std::string& path, const std::string& saved)> apply;
  const char* says;
};

TEST_F(StateDirHostile, RestartRefusesKeyFilesAndDatabasesSomeoneElseCouldHaveWritten) {
  auto failed = daemon_.Start();
  ASSERT_FALSE(failed) << *failed;
  daemon_.Stop();
  const uid_t b = HostileDaemon::kUidB;
  auto copy = [](const std::string& from, const std::string& to) {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    ::chmod(to.c_str(), 0600);
  };
  const std::vector<Tamper> tampers = {
      {"admin-token written by tenant b's uid", "admin-token",
       [&](const std::string& p, const std::string&) {
         std::ofstream(p) << "hpa_attacker_chosen_token\n";
         ::chmod(p.c_str(), 0600);
         ASSERT_EQ(::chown(p.c_str(), b, b), 0);
       },
       "owned by uid 60002"},
      {"admin-token 0644", "admin-token",
       [&](const std::string& p, const std::string& s) {
         copy(s, p);
         ::chmod(p.c_str(), 0644);
       },
       "can read the secret"},
      {"admin-token 0666", "admin-token",
       [&](const std::string& p, const std::string& s) {
         copy(s, p);
         ::chmod(p.c_str(), 0666);
       },
       "writable by group or others"},
      {"admin-token a link to the attacker's token", "admin-token",
       [&](const std::string& p, const std::string&) {
         const std::string evil = daemon_.Dir() + "/evil-token";
         std::ofstream(evil) << "hpa_attacker_chosen_token\n";
         ::chmod(evil.c_str(), 0600);
         ASSERT_EQ(::symlink(evil.c_str(), p.c_str()), 0);
       },
       "is a symbolic link"},
      {"sessions.db owned by tenant b's uid", "sessions.db",
       [&](const std::string& p, const std::string& s) {
         copy(s, p);
         ASSERT_EQ(::chown(p.c_str(), b, b), 0);
       },
       "owned by uid 60002"},
      {"sessions.db 0666", "sessions.db",
       [&](const std::string& p, const std::string& s) {
         copy(s, p);
         ::chmod(p.c_str(), 0666);
       },
       "writable by group or others"},
      {"sessions.db a link", "sessions.db",
       [&](const std::string& p, const std::string& s) {
         copy(s, daemon_.Dir() + "/other.db");
         ASSERT_EQ(::symlink((daemon_.Dir() + "/other.db").c_str(), p.c_str()), 0);
       },
       "is a symbolic link"},
  };
  std::vector<std::string> accepted;
  for (const auto& t : tampers) {
    SCOPED_TRACE(t.name);
    const std::string path = daemon_.StateDir() + "/" + t.file;
    const std::string saved = path + ".saved";
    ASSERT_EQ(::rename(path.c_str(), saved.c_str()), 0) << path;
    t.apply(path, saved);
    const std::size_t before = daemon_.Stderr().size();
    if (!daemon_.Start()) {
      accepted.push_back(t.name);
      daemon_.Stop();
    } else {
      const std::string said = daemon_.Stderr().substr(before);
      EXPECT_THAT(said, HasSubstr(path + " "));
      EXPECT_THAT(said, HasSubstr(t.says));
      EXPECT_THAT(said, HasSubstr("chmod 0600 " + path));
    }
    fs::remove(path);
    ASSERT_EQ(::rename(saved.c_str(), path.c_str()), 0);
  }
  // The state dir itself, writable by everyone.
  ASSERT_EQ(::chmod(daemon_.StateDir().c_str(), 0777), 0);
  const std::size_t before = daemon_.Stderr().size();
  if (!daemon_.Start()) {
    accepted.push_back("state dir 0777");
    daemon_.Stop();
  } else {
    EXPECT_THAT(daemon_.Stderr().substr(before), HasSubstr(daemon_.StateDir() + " has mode 0777"));
  }
  ASSERT_EQ(::chmod(daemon_.StateDir().c_str(), 0711), 0);
  EXPECT_TRUE(accepted.empty()) << "the daemon started with:" << Joined(accepted);
  // An older layout's 0644 database is narrowed, not refused.
  ASSERT_EQ(::chmod((daemon_.StateDir() + "/sessions.db").c_str(), 0644), 0);
  auto restarted = daemon_.Start();
  ASSERT_FALSE(restarted) << *restarted;
  struct stat st {};
  ASSERT_EQ(::stat((daemon_.StateDir() + "/sessions.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(daemon_.Admin("GET", "/admin/v1/sessions").status, 200);
}

TEST_F(StateDirHostile, OpenFileLimitIsRaisedToTheHardLimit) {
  rlimit mine{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &mine), 0);
  rlimit low = mine;
  low.rlim_cur = std::min<rlim_t>(256, mine.rlim_max);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);  // the daemon inherits 256
  auto failed = daemon_.Start();
  ::setrlimit(RLIMIT_NOFILE, &mine);
  ASSERT_FALSE(failed) << *failed;
  std::ifstream limits("/proc/" + std::to_string(daemon_.Pid()) + "/limits");
  std::string line, soft, hard;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(14));
    fields >> soft >> hard;
  }
  EXPECT_EQ(soft, hard) << "daemon's RLIMIT_NOFILE soft " << soft << ", hard " << hard;
  EXPECT_EQ(soft, std::to_string(mine.rlim_max));
  // A payload keeps its policy's limit (limits.open_files: 1024 in the default).
  Reply why;
  const std::string shell = daemon_.CreateShell("a", "", &why);
  ASSERT_FALSE(shell.empty()) << why.raw;
  auto n = daemon_.Sh(shell, "ulimit -n");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, "1024");
}

TEST_F(StateDirHostile, PidOneInTheSandboxDoesNotShowTheDaemonsCommandLine) {
  auto failed = daemon_.Start();
  ASSERT_FALSE(failed) << *failed;
  Reply why;
  const std::string shell = daemon_.CreateShell("a", "", &why);
  ASSERT_FALSE(shell.empty()) << why.raw;
  auto seen = daemon_.Sh(shell,
                         "echo cmdline:; tr '\\0' ' ' < /proc/1/cmdline; echo; echo comm:; "
                         "cat /proc/1/comm; echo environ:; tr '\\0' '\\n' < /proc/1/environ");
  ASSERT_TRUE(seen);
  EXPECT_THAT(*seen, HasSubstr("cmdline:"));
  EXPECT_THAT(*seen, Not(HasSubstr(HostileDaemon::Binary())));
  EXPECT_THAT(*seen, Not(HasSubstr("hotplexd")));
  EXPECT_THAT(*seen, Not(HasSubstr("serve")));
  EXPECT_THAT(*seen, Not(HasSubstr("--config")));
  EXPECT_THAT(*seen, Not(HasSubstr(daemon_.ConfigPath())));
  EXPECT_THAT(*seen, Not(HasSubstr("HOTPLEX_DOCKER_INSTANCE")));
  EXPECT_THAT(*seen, HasSubstr("hotplex-init"));
}

}  // namespace
}  // namespace hotplex::testing
