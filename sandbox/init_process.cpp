#include "sandbox/init_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "sandbox/child_context.hpp"
#include "sandbox/child_steps.hpp"
#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
constexpr char kInitName[] = "hotplex-init";

// Where the kernel finds the process's command line and environment
// (/proc/self/stat fields 48-51). Init is a clone of the daemon: without a
// fix, /proc/1/cmdline inside the sandbox would read the daemon's argv (its
// host path, `serve --config ...`) from init's copy of this memory.
struct ArgvArea {
  std::uintptr_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
};

// Parses /proc/self/stat: fields after the last ')' (the name may hold any
// byte), field 3 first. Raw syscalls: this runs before main.
ArgvArea ReadArgvArea() {
  ArgvArea area;
  char buf[2048];
  const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return area;
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return area;
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return area;
  std::uintptr_t* wanted[] = {&area.arg_start, &area.arg_end, &area.env_start, &area.env_end};
  for (int field = 3; field <= 51 && *p != '\0'; ++field) {
    while (*p == ' ' || *p == ')') ++p;
    const unsigned long long value = std::strtoull(p, nullptr, 10);
    if (field >= 48) *wanted[field - 48] = static_cast<std::uintptr_t>(value);
    while (*p != ' ' && *p != '\0') ++p;
  }
  return area;
}

// Read once, single-threaded, while the daemon loads: the child of a clone
// must not allocate or parse files; it only reads this copy.
const ArgvArea kArgvArea = ReadArgvArea();

void Blank(std::uintptr_t start, std::uintptr_t end) {
  // The addresses come from /proc/self/stat as integers (the kernel's argv area).
  if (end > start) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    std::memset(reinterpret_cast<char*>(start), 0, end - start);
  }
}

// Child side, async-signal-safe: init's own (copy-on-write) argv and
// environment memory is overwritten, so /proc/1/cmdline reads "hotplex-init",
// /proc/1/environ is empty and /proc/1/comm says "hotplex-init".
void HideDaemonCommandLine() {
  const ArgvArea& a = kArgvArea;
  Blank(a.arg_start, a.arg_end);
  Blank(a.env_start, a.env_end);
  // The last byte stays NUL: the kernel then reads argv as it is, not as a
  // setproctitle() string continuing into the environment.
  if (a.arg_end > a.arg_start + 1) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): an address from /proc/self/stat
    std::memcpy(reinterpret_cast<char*>(a.arg_start), kInitName,
                std::min(sizeof kInitName, static_cast<std::size_t>(a.arg_end - a.arg_start - 1)));
  }
  ::prctl(PR_SET_NAME, kInitName, 0, 0, 0);
}

// pid 1 of a pid namespace only receives signals it has a handler for.
void IgnoreSignal(int) {}

void InstallHandlers(sigset_t* set) {
  sigemptyset(set);
  sigaddset(set, SIGCHLD);
  struct sigaction sa {};
  sa.sa_handler = IgnoreSignal;
  for (int sig : kForwarded) {
    sigaddset(set, sig);
    ::sigaction(sig, &sa, nullptr);
  }
  ::sigaction(SIGCHLD, &sa, nullptr);
  // Single-threaded pid 1 after clone: sigprocmask is async-signal-safe,
  // pthread_sigmask is not on that list.
  ::sigprocmask(SIG_BLOCK, set, nullptr);  // NOLINT(concurrency-mt-unsafe)
}

void RestoreSignals(const sigset_t& set) {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig : kForwarded) ::sigaction(sig, &sa, nullptr);
  ::sigaction(SIGCHLD, &sa, nullptr);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);  // NOLINT(concurrency-mt-unsafe): as above
}

[[noreturn]] void StartPayload(const ChildContext& ctx, const sigset_t& set) {
  RestoreSignals(set);
  // The daemon works under umask 077 (its state dir); a payload gets the
  // conventional 022 inside its own 0700 workspace.
  ::umask(022);
  child::ExecPayload(ctx);
}

[[noreturn]] void ReapLoop(const ChildContext& ctx, pid_t payload, const sigset_t& set) {
  while (true) {
    siginfo_t info{};
    const int sig = ::sigwaitinfo(&set, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      if (::kill(-payload, sig) != 0) ::kill(payload, sig);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != payload) continue;
      const std::int32_t raw = status;
      [[maybe_unused]] const ssize_t n = ::write(ctx.status_fd, &raw, sizeof raw);
      ::_exit(0);
    }
  }
}

}  // namespace

void RunInit(const ChildContext& ctx) {
  HideDaemonCommandLine();
  sigset_t set;
  InstallHandlers(&set);
  // A raw clone, not fork(): fork() would run glibc's atfork handlers, which
  // take locks that another thread of the daemon may have held at clone time.
  const long payload = ::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (payload < 0) ReportSetupFailure(ctx.report_fd, "fork payload");
  if (payload == 0) StartPayload(ctx, set);
  // The parent learns that setup finished when every write end of the report
  // pipe is closed: ours now, the payload's at execve.
  ::close(ctx.report_fd);
  for (int fd : ctx.stdio) {
    if (fd > 2 && fd != ctx.status_fd) ::close(fd);
  }
  // Init keeps no stdio of its own.
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3 && devnull >= 0; ++i) ::dup2(devnull, i);
  ReapLoop(ctx, static_cast<pid_t>(payload), set);
}

}  // namespace hotplex::sandbox
