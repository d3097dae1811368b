// SandboxSpec: everything a backend needs to launch one isolated payload.
// Plain data built by the caller (front end or supervisor); backends never read
// policy files or the host environment themselves. Thread-safety: value type.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#ifndef _WIN32
#include <memory>

#include "common/unique_fd.hpp"
#endif

namespace hotplex::sandbox {

#ifdef _WIN32
// The Windows job object backend has no POSIX ids; it ignores Identity.
using uid_t = unsigned int;
using gid_t = unsigned int;
#endif

enum class NetworkMode {
  kNone,      // own network namespace with only a loopback device (default)
  kLoopback,  // same as kNone; used by egress proxying, which adds sockets from outside
  kHost,      // host network namespace; dangerous, needs an explicit opt-in upstream
};

enum class MountMode { kReadOnly, kReadWrite };

struct BindMount {
  std::string source;  // host path; must exist and must not be a symlink
  std::string target;  // path inside the sandbox; empty means the same as source
  MountMode mode = MountMode::kReadOnly;
};

struct Limits {
  std::uint64_t memory_bytes = 1ull << 30;  // 0 = unlimited
  std::uint64_t pids = 256;                 // 0 = unlimited
  double cpu_cores = 0;                     // 0 = unlimited; 1.5 = one and a half cores
  std::uint64_t open_files = 1024;          // RLIMIT_NOFILE for the payload; 0 = inherit
  std::chrono::milliseconds wall_time{0};   // 0 = unlimited
};

// Who the payload is. Inside the sandbox it is `inside_uid`/`inside_gid` (named
// `user_name`); on the host its files belong to `host_uid`/`host_gid`, which
// must not be 0 (backends refuse to map the sandbox user to host root).
struct Identity {
  uid_t host_uid = 0;
  gid_t host_gid = 0;
  uid_t inside_uid = 1000;
  gid_t inside_gid = 1000;
  std::string user_name = "agent";
};

// File descriptors installed as the payload's 0/1/2. Borrowed: the caller keeps
// ownership and closes its copies after Launch returns.
#ifdef _WIN32
// Windows: HANDLEs (void* keeps <windows.h> out of this header); nullptr = the
// NUL device. Borrowed like the fds; the backend makes its own inheritable copies.
struct Stdio {
  void* in = nullptr;
  void* out = nullptr;
  void* err = nullptr;
};
#else
struct Stdio {
  int in = 0;
  int out = 1;
  int err = 2;
};
#endif

struct SandboxSpec {
  std::string id;                 // short id: hostname hotplex-<id>, cgroup name
  std::vector<std::string> argv;  // argv[0] is looked up in PATH from `env` if it has no '/'
  std::vector<std::string> env;   // "KEY=VALUE"; exactly what the payload gets
  std::string workdir;            // host directory, bind-mounted read-write
  std::string workdir_inside;     // where it appears; empty = same path as on the host
  std::string home_source;        // host dir bind-mounted rw as $HOME; empty = fresh tmpfs
  std::string home_inside = "/home/agent";
  std::vector<BindMount> mounts;  // extra mounts
#ifndef _WIN32
  // The workdir and home as directory fds pinned by the supervisor: resolved
  // once beneath the tenant's workspace root / the homes dir, with no symlink
  // on the way (sandbox/host_path.hpp). A backend mounts (or chdirs into) these
  // fds and never resolves `workdir` / `home_source` again: those strings are
  // only for display and for the path inside. Null = the path comes from a
  // trusted caller (CLI, tests): the backend opens it itself, refusing links.
  std::shared_ptr<const UniqueFd> workdir_fd;
  std::shared_ptr<const UniqueFd> home_fd;
#endif
  Limits limits;
  NetworkMode network = NetworkMode::kNone;
  Identity identity;
  bool seccomp = true;                             // false needs an explicit unsafe opt-in
  std::vector<std::string> extra_denied_syscalls;  // denied with EPERM on top of the default
  Stdio stdio;
  std::string image;                          // docker backend: image; empty = its default
  std::map<std::string, std::string> labels;  // docker backend: extra io.hotplex.* labels
  // Parent-side hook, run once the sandbox's own network namespace exists and
  // before the payload can start (the child waits for it); gets the host pid of
  // a process in that namespace. The supervisor installs its egress listeners
  // here, so they exist before the payload's first connect. An error aborts the
  // launch. Backends that cannot run it (no own network namespace) refuse a spec
  // that sets it. Empty = nothing to do.
  std::function<Status(pid_t)> network_ready;
};

}  // namespace hotplex::sandbox
