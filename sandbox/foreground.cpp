#include "sandbox/foreground.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "common/unique_fd.hpp"

namespace hotplex::sandbox {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Forwards pending signals; returns false when the signalfd failed.
bool ForwardPending(int sigfd, Sandbox& sandbox) {
  signalfd_siginfo info{};
  while (::read(sigfd, &info, sizeof info) == sizeof info) {
    sandbox.Signal(static_cast<int>(info.ssi_signo));
  }
  return errno == EAGAIN;
}

}  // namespace

Result<Outcome> RunInForeground(Backend& backend, const SandboxSpec& spec) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigset_t old;
  ::pthread_sigmask(SIG_BLOCK, &set, &old);
  UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd) return ErrnoError("signalfd");

  auto launched = backend.Launch(spec);
  if (!launched) {
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    const Error& e = launched.error();
    if (IsSandboxSetupFailure(e)) return Outcome::SetupFailed(e.step, e.sys_errno);
    return e;
  }
  Sandbox& sandbox = **launched;
  while (true) {
    if (auto outcome = sandbox.Poll()) {
      ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
      return *outcome;
    }
    pollfd fds[2] = {{sandbox.PidFd(), POLLIN, 0}, {sigfd.Get(), POLLIN, 0}};
    // Wake at least every 100 ms so that Poll() can enforce the wall time.
    ::poll(fds, 2, 100);
    if (fds[1].revents & POLLIN) ForwardPending(sigfd.Get(), sandbox);
  }
}

Result<std::string> CurrentDirectory() {
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return ErrnoError("getcwd");
  return std::string(buf);
}

Result<Identity> IdentityOwning(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return ErrnoError("WorkDir", "'" + dir + "'");
  Identity identity;
  identity.host_uid = st.st_uid;
  identity.host_gid = st.st_gid;
  return identity;
}

}  // namespace hotplex::sandbox
