// DockerCreateBody: a SandboxSpec as the body of POST /containers/create.
//
// Same guarantees as the namespace jail, in Docker's words: the payload runs as
// the host uid that owns the workspace (never root), read-only root file system,
// WorkDir bind-mounted read-write (at the same path unless workdir_inside says
// otherwise), the session home read-write (or a tmpfs), a private /tmp tmpfs,
// every capability dropped, no-new-privileges, our seccomp profile inline,
// network none unless the spec asks for host, memory (no swap), CPU, pids and
// open-files limits, docker-init as pid 1, io.hotplex.* labels, a size-capped
// json-file log, and stdio attached without a TTY. The docker socket is never mounted.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "sandbox/docker/docker_bind_source.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox {

inline constexpr const char* kLabelManaged = "io.hotplex.managed";
inline constexpr const char* kLabelInstance = "io.hotplex.instance";
inline constexpr const char* kLabelSession = "io.hotplex.session";
// "true" on containers that outlive their supervisor's connection (adopt mode).
inline constexpr const char* kLabelAdoptable = "io.hotplex.adoptable";
// Each container's stdout/stderr log (what docker keeps of its output) is capped.
inline constexpr const char* kLogMaxSize = "16m";

struct DockerCreateParams {
  std::string image;
  std::string instance;      // value of io.hotplex.instance (reconcile scope)
  std::string seccomp_json;  // the profile; empty = seccomp disabled (spec.seccomp == false)
  std::uint64_t tmp_bytes = 256ull << 20;
  std::string docker_socket;  // refused as a mount source
  // Adopt mode: StdinOnce off, so that the payload's stdin stays open when this
  // supervisor's attach connection ends (it dies or restarts) and a later one
  // can attach again; labelled io.hotplex.adoptable=true.
  bool adoptable = false;
  // What dockerd is handed as each bind's source (ResolveDockerBindSources:
  // root-fixed paths or staged mounts of pinned fds). The backend always sets
  // it; nullopt = the spec's paths as given (tests of the rest of the body).
  std::optional<DockerBindSources> sources;
};

// Validates the spec (argv, non-root identity, WorkDir and mount sources exist
// and are not symlinks, no docker socket) and builds the body; the bind
// sources are params.sources when set.
Result<nlohmann::json> DockerCreateBody(const SandboxSpec& spec, const DockerCreateParams& params);

}  // namespace hotplex::sandbox
