#include "tests/integration/api/spawn_backend.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/unique_fd.hpp"

namespace hotplex::testing {
namespace {

class SpawnedProcess final : public sandbox::Sandbox {
 public:
  SpawnedProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  ~SpawnedProcess() override {
    if (!outcome_) {
      ::kill(-pid_, SIGKILL);
      Wait();
    }
  }
  pid_t Pid() const override { return pid_; }
  int PidFd() const override { return pidfd_.Get(); }
  std::optional<sandbox::Outcome> Poll() override {
    if (!outcome_) Reap(WNOHANG);
    return outcome_;
  }
  sandbox::Outcome Wait() override {
    while (!outcome_) Reap(0);
    return *outcome_;
  }
  void Signal(int sig) override {
    if (!outcome_) ::kill(-pid_, sig);
  }
  void Kill() override {
    if (outcome_) return;
    killed_ = true;
    ::kill(-pid_, SIGKILL);
  }

 private:
  void Reap(int flags) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, flags);
    if (r != pid_) return;
    // The payload is gone: nothing of its group may outlive it either.
    ::kill(-pid_, SIGKILL);
    if (killed_) {
      outcome_ = sandbox::Outcome{sandbox::OutcomeKind::kKilled, SIGKILL, {}, 0, 0};
    } else if (WIFSIGNALED(status)) {
      outcome_ = sandbox::Outcome::Signaled(WTERMSIG(status));
    } else {
      outcome_ = sandbox::Outcome::Exited(WEXITSTATUS(status));
    }
  }

  const pid_t pid_;
  UniqueFd pidfd_;
  bool killed_ = false;
  std::optional<sandbox::Outcome> outcome_;
};

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

class SpawnBackend final : public sandbox::Backend {
 public:
  sandbox::BackendKind Kind() const override { return sandbox::BackendKind::kProcess; }

  Result<std::unique_ptr<sandbox::Sandbox>> Launch(const sandbox::SandboxSpec& spec) override {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, spec.stdio.in, 0);
    posix_spawn_file_actions_adddup2(&actions, spec.stdio.out, 1);
    posix_spawn_file_actions_adddup2(&actions, spec.stdio.err, 2);
    posix_spawn_file_actions_addchdir_np(&actions, spec.workdir.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    auto argv = CStrings(spec.argv);
    auto env = CStrings(spec.env);
    pid_t pid = -1;
    const bool lookup = spec.argv[0].find('/') == std::string::npos;
    const int rc = lookup ? ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), env.data())
                          : ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return Error{"spawn " + spec.argv[0], rc, "posix_spawn"};
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    return std::unique_ptr<sandbox::Sandbox>(new SpawnedProcess(pid, std::move(pidfd)));
  }
};

}  // namespace

std::unique_ptr<sandbox::Backend> MakeSpawnBackend() { return std::make_unique<SpawnBackend>(); }

}  // namespace hotplex::testing
