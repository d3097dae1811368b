// Backend and Sandbox: the interface every isolation backend implements.
//
// A Backend launches payloads; each launch yields a Sandbox, the one owner of
// the running process tree: destroying it kills and reaps everything in it and
// removes its cgroup. Thread-safety: a Backend may be shared between threads;
// a Sandbox belongs to one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "sandbox/outcome.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox {

class Sandbox {
 public:
  virtual ~Sandbox() = default;
  // Host pid of the sandbox's first process (its init for the namespace backend).
  virtual pid_t Pid() const = 0;
  // A pidfd that becomes readable when the sandbox has ended; -1 if none.
  virtual int PidFd() const = 0;
  // The outcome if the sandbox has ended, without blocking.
  virtual std::optional<Outcome> Poll() = 0;
  // Blocks until the sandbox ends, enforcing the wall-time limit.
  virtual Outcome Wait() = 0;
  // Forwards a signal to the payload's process group.
  virtual void Signal(int sig) = 0;
  // Kills every process of the sandbox; the outcome becomes kKilled.
  virtual void Kill() = 0;
  // Lets the payload run on after this object is destroyed, so that a later
  // supervisor can Backend::Reattach() it. False (and nothing changes) where the
  // backend cannot: only docker sandboxes launched in adopt mode can.
  virtual bool Detach() { return false; }
};

// Launch() reports a failed step inside the sandbox as an Error with this
// message, the step's name in Error::step and its errno; any other Error is a
// problem the parent found before starting (bad spec, no cgroups, ...).
inline constexpr const char* kSandboxSetupFailed = "sandbox setup failed";
inline bool IsSandboxSetupFailure(const Error& e) { return e.message == kSandboxSetupFailed; }

// kJobObject: the Windows backend (sandbox/windows/), built only by the MinGW cross build.
enum class BackendKind { kNamespace, kProcess, kDocker, kJobObject };

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendKind Kind() const = 0;
  // Launches the payload. On a setup failure inside the sandbox the returned
  // Error names the step (Error::step) and the errno.
  virtual Result<std::unique_ptr<Sandbox>> Launch(const SandboxSpec& spec) = 0;

  // Re-adoption after a supervisor restart (docker `reconcile: adopt`): the
  // sandboxes an earlier run left running are found at construction; Reattach()
  // takes the one launched for `spec.id` and wires `spec.stdio` to it, provided
  // its labels and image still match the spec and it wrote no output after
  // `quiet_since` (output nobody read: the caller's view of it is stale) other
  // than the line whose OutputLineDigest is `last_line` (the last one the caller
  // read, which docker may stamp a little after the caller's clock did). A
  // sandbox that fails those checks is removed. DiscardUnclaimed() removes the
  // ones nobody reattached and says how many; call it once recovery is done.
  virtual bool CanReattach() const { return false; }
  virtual Result<std::unique_ptr<Sandbox>> Reattach(
      const SandboxSpec& spec, std::chrono::system_clock::time_point quiet_since,
      std::string_view last_line = {}) {
    (void)spec;
    (void)quiet_since;
    (void)last_line;
    return MakeError("this sandbox backend cannot reattach to a running sandbox");
  }
  virtual std::size_t DiscardUnclaimed() { return 0; }
};

// A short digest of one output line (without its newline): FNV-1a 64, hex.
// Empty input gives a non-empty digest; "" means "no line known".
std::string OutputLineDigest(std::string_view line);

struct BackendOptions {
  // Cgroup root override; empty = auto-detect (v2 with controllers, else v1).
  std::string cgroup_root;
  // Force a cgroup version (0 = auto).
  int cgroup_version = 0;
};

// The Linux namespace jail (user/mount/pid/net/uts/ipc/cgroup, seccomp, caps).
Result<std::unique_ptr<Backend>> MakeNamespaceBackend(const BackendOptions& options = {});
// UNSAFE, development only: no namespaces; an unprivileged host user in its own
// process group and cgroup, with no_new_privs and seccomp. Sees the host's files
// and network. Callers must require an explicit opt-in (policy `unsafe: true`).
Result<std::unique_ptr<Backend>> MakeProcessBackend(const BackendOptions& options = {});

}  // namespace hotplex::sandbox
