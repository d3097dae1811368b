#include "sandbox_harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/unique_fd.hpp"

extern char** environ;

namespace hotplex::sandbox::testing {

std::string MakeTempDir(const char* prefix, uid_t uid, gid_t gid) {
  std::string tmpl = std::string("/tmp/") + prefix + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp failed";
  if (::chown(tmpl.c_str(), uid, gid) != 0) ADD_FAILURE() << "chown failed";
  return tmpl;
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

void ExpectExit0(const RunResult& r) {
  EXPECT_EQ(r.outcome.kind, OutcomeKind::kExited) << r.outcome.Describe() << "\n" << r.err;
  EXPECT_EQ(r.outcome.code, 0) << r.out << r.err;
}

bool HostCanSpawn() {
  pid_t pid;
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) return false;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int CountHostProcesses(const std::string& marker) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || name[0] < '0' || name[0] > '9') continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    if (cmdline.find(marker) != std::string::npos) ++found;
  }
  return found;
}

void SandboxTest::SetUp() {
  workdir_ = MakeTempDir("hotplex-sbx", kTestUid, kTestGid);
  auto backend = MakeNamespaceBackend();
  ASSERT_TRUE(backend) << backend.error().Describe();
  backend_ = std::move(*backend);
}

void SandboxTest::TearDown() { RemoveTree(workdir_); }

SandboxSpec SandboxTest::Spec(std::vector<std::string> argv) const {
  SandboxSpec spec;
  spec.argv = std::move(argv);
  spec.env = {"PATH=/usr/bin:/bin", "HOME=/home/agent"};
  spec.workdir = workdir_;
  spec.identity.host_uid = kTestUid;
  spec.identity.host_gid = kTestGid;
  spec.limits.memory_bytes = 256ull << 20;
  spec.limits.pids = 64;
  spec.limits.wall_time = std::chrono::seconds(20);
  spec.mounts.push_back({HOTPLEX_BINARY_DIR "/tests/bin", "/opt/probe", MountMode::kReadOnly});
  return spec;
}

std::unique_ptr<Sandbox> SandboxTest::Start(SandboxSpec spec, int* out_fd) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd write_end(fds[1]);
  spec.stdio.out = fds[1];
  spec.stdio.err = fds[1];
  spec.stdio.in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto sandbox = backend_->Launch(spec);
  ::close(spec.stdio.in);
  *out_fd = fds[0];
  if (!sandbox) {
    ADD_FAILURE() << "launch failed: " << sandbox.error().Describe();
    return nullptr;
  }
  return std::move(*sandbox);
}

RunResult SandboxTest::Run(const SandboxSpec& spec_in) {
  SandboxSpec spec = spec_in;
  int out[2], err[2];
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
  UniqueFd out_read(out[0]), out_write(out[1]), err_read(err[0]), err_write(err[1]);
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  spec.stdio = {devnull.Get(), out[1], err[1]};
  RunResult result;
  auto sandbox = backend_->Launch(spec);
  out_write.Reset();
  err_write.Reset();
  if (!sandbox) {
    const Error& e = sandbox.error();
    result.outcome = IsSandboxSetupFailure(e) ? Outcome::SetupFailed(e.step, e.sys_errno)
                                              : Outcome::SetupFailed("launch: " + e.Describe(), 0);
    return result;
  }
  pollfd fds[2] = {{out_read.Get(), POLLIN, 0}, {err_read.Get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  std::optional<Outcome> outcome;
  // Poll() enforces the wall-time limit, so it runs even while output flows.
  while (open_count > 0 || !outcome) {
    if (!outcome) outcome = (*sandbox)->Poll();
    ::poll(fds, 2, 50);
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  result.outcome = *outcome;
  return result;
}

}  // namespace hotplex::sandbox::testing
