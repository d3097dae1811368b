#include "sandbox/docker/docker_backend.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "sandbox/docker/docker_bind_source.hpp"
#include "sandbox/docker/docker_container_spec.hpp"
#include "sandbox/docker/docker_sandbox.hpp"
#include "sandbox/docker/docker_seccomp_profile.hpp"

namespace hotplex::sandbox {
namespace {

Result<UniqueFd> Dup(int fd, const char* what) {
  UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (!copy) return ErrnoError("dup", what);
  return copy;
}

// A staged workdir must be what the container runs in: a mount hotplexd made
// that dockerd cannot see (another mount namespace: hotplexd in a container
// without shared propagation, systemd PrivateMounts) would leave the container
// on the empty staging directory. docker-init's cwd is the WorkingDir, i.e.
// the bind's target. Skipped when hotplexd cannot see the pid (own pid namespace).
Status CheckContainerCwd(pid_t pid, const FileId& expected) {
  struct stat st {};
  if (pid <= 0 || ::stat(("/proc/" + std::to_string(pid) + "/cwd").c_str(), &st) != 0) return {};
  if (st.st_dev == expected.dev && st.st_ino == expected.ino) return {};
  return MakeError(
      "the container does not run in the workdir hotplexd mounted for dockerd: "
      "hotplexd and dockerd are in different mount namespaces (e.g. hotplexd in a "
      "container, or a systemd unit with PrivateMounts); run hotplexd in the host's "
      "mount namespace, or use the workspace root as workdir (sandbox/docker/DOCKER.md)");
}

}  // namespace

Result<std::unique_ptr<DockerBackend>> DockerBackend::Create(const DockerOptions& options) {
  HOTPLEX_TRY(DockerClient client, DockerClient::Connect(options.socket_path));
  std::unique_ptr<DockerBackend> backend(
      new DockerBackend(options, std::make_shared<const DockerClient>(std::move(client))));
  if (options.remove_leftovers) HOTPLEX_TRY_STATUS(backend->Reconcile());
  // Staged bind sources a crashed run left mounted (launches remove their own).
  RemoveStaleStaging(backend->StagingDir());
  return backend;
}

DockerBackend::~DockerBackend() { (void)::rmdir(StagingDir().c_str()); }

Status DockerBackend::Reconcile() {
  HOTPLEX_TRY(std::vector<ContainerSummary> found,
              client_->ListContainers(kLabelInstance, options_.instance));
  std::lock_guard lock(leftovers_mu_);
  for (ContainerSummary& c : found) {
    if (Adoptable(c) && !leftovers_.count(c.labels[kLabelSession])) {
      const std::string session = c.labels[kLabelSession];
      leftovers_.emplace(session, std::move(c));
      continue;
    }
    HOTPLEX_TRY_STATUS(client_->Remove(c.id));
    ++reconciled_;
  }
  adoptable_count_ = leftovers_.size();
  return {};
}

// Only a running container created adoptable, for a session, in adopt mode.
bool DockerBackend::Adoptable(const ContainerSummary& c) const {
  const auto label = [&](const char* key) {
    auto it = c.labels.find(key);
    return it == c.labels.end() ? std::string() : it->second;
  };
  return options_.reconcile == DockerReconcile::kAdopt && c.running &&
         label(kLabelAdoptable) == "true" && !label(kLabelSession).empty();
}

Result<std::unique_ptr<Sandbox>> DockerBackend::Reattach(
    const SandboxSpec& spec, std::chrono::system_clock::time_point quiet_since,
    std::string_view last_line) {
  std::optional<ContainerSummary> found;
  {
    std::lock_guard lock(leftovers_mu_);
    auto it = spec.id.empty() ? leftovers_.end() : leftovers_.find(spec.id);
    if (it != leftovers_.end()) {
      found = std::move(it->second);
      leftovers_.erase(it);
    }
  }
  if (!found) {
    return MakeError("no running container of sandbox '" + spec.id + "' was left by an " +
                     "earlier run of instance " + options_.instance);
  }
  auto box = AttachTo(spec, *found, quiet_since, last_line);
  if (!box) {
    (void)client_->Remove(found->id);  // refused: never leaked, never half-adopted
    ++reconciled_;
    return std::move(box).error();
  }
  ++reattached_;
  return box;
}

Result<std::unique_ptr<Sandbox>> DockerBackend::AttachTo(
    const SandboxSpec& spec, const ContainerSummary& c,
    std::chrono::system_clock::time_point quiet_since, std::string_view last_line) {
  for (const auto& [key, value] : spec.labels) {
    auto it = c.labels.find(key);
    if (it == c.labels.end() || it->second != value) {
      return MakeError("container " + c.id.substr(0, 12) + " has " + key + "=" +
                       (it == c.labels.end() ? std::string("(none)") : it->second) +
                       ", the session now needs " + value);
    }
  }
  const std::string image = spec.image.empty() ? options_.default_image : spec.image;
  if (c.image != image) {
    return MakeError("container " + c.id.substr(0, 12) + " runs image " + c.image +
                     ", the policy now names " + image);
  }
  HOTPLEX_TRY(std::optional<std::string> newest, client_->NewestLineSince(c.id, quiet_since));
  if (newest && (last_line.empty() || OutputLineDigest(*newest) != last_line)) {
    return MakeError("container " + c.id.substr(0, 12) +
                     " wrote output while no supervisor was attached; what it did is unknown");
  }
  DockerSandbox::Params box;
  HOTPLEX_TRY(box.in, Dup(spec.stdio.in, "stdin"));
  HOTPLEX_TRY(box.out, Dup(spec.stdio.out, "stdout"));
  HOTPLEX_TRY(box.err, Dup(spec.stdio.err, "stderr"));
  HOTPLEX_TRY(box.attach, client_->Attach(c.id));
  box.id = c.id;
  box.client = client_;
  box.wall_time = spec.limits.wall_time;
  box.memory_limit = spec.limits.memory_bytes;
  box.adoptable = true;
  box.running = true;
  HOTPLEX_TRY(std::unique_ptr<DockerSandbox> sandbox, DockerSandbox::Start(std::move(box)));
  // The earlier supervisor's egress listeners died with it: install ours.
  if (spec.network_ready) HOTPLEX_TRY_STATUS(RunNetworkHook(spec, sandbox->Pid()));
  return std::unique_ptr<Sandbox>(std::move(sandbox));
}

std::size_t DockerBackend::DiscardUnclaimed() {
  std::map<std::string, ContainerSummary> rest;
  {
    std::lock_guard lock(leftovers_mu_);
    rest.swap(leftovers_);
  }
  for (const auto& [session, c] : rest) {
    if (client_->Remove(c.id)) ++reconciled_;
  }
  return rest.size();
}

Result<std::string> DockerBackend::SeccompJson(const SandboxSpec& spec) {
  if (!spec.seccomp) return std::string();
  std::lock_guard lock(seccomp_mu_);
  auto it = seccomp_cache_.find(spec.extra_denied_syscalls);
  if (it != seccomp_cache_.end()) return it->second;
  HOTPLEX_TRY(nlohmann::json profile, DockerSeccompProfile(spec.extra_denied_syscalls));
  return seccomp_cache_.emplace(spec.extra_denied_syscalls, profile.dump()).first->second;
}

Result<std::unique_ptr<Sandbox>> DockerBackend::Launch(const SandboxSpec& spec) {
  if (spec.network_ready && spec.network == NetworkMode::kHost) {
    return MakeError(
        "a network_ready hook needs the sandbox's own network namespace, "
        "not the host's");
  }
  DockerCreateParams params;
  params.image = spec.image.empty() ? options_.default_image : spec.image;
  params.instance = options_.instance;
  params.tmp_bytes = options_.tmp_bytes;
  params.docker_socket = client_->SocketPath();
  params.adoptable = options_.reconcile == DockerReconcile::kAdopt;
  HOTPLEX_TRY(params.seccomp_json, SeccompJson(spec));
  // dockerd and runc resolve a bind source path again: hand them only paths no
  // tenant can re-point, staged mounts of pinned fds for the rest. runc copies
  // the mounts into the container at start, so the staging goes right after.
  DockerBindStaging staging(StagingDir(), (spec.id.empty() ? std::string("sandbox") : spec.id) +
                                              "-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(++launches_));
  HOTPLEX_TRY(params.sources, ResolveDockerBindSources(spec, params.docker_socket, staging));
  HOTPLEX_TRY(nlohmann::json body, DockerCreateBody(spec, params));
  HOTPLEX_TRY_STATUS(client_->EnsureImage(params.image));
  HOTPLEX_TRY(std::unique_ptr<Sandbox> box, CreateAndStart(spec, params, body));
  staging.Release();
  return box;
}

Result<std::unique_ptr<Sandbox>> DockerBackend::CreateAndStart(const SandboxSpec& spec,
                                                               const DockerCreateParams& params,
                                                               const nlohmann::json& body) {
  DockerSandbox::Params box;
  HOTPLEX_TRY(box.in, Dup(spec.stdio.in, "stdin"));
  HOTPLEX_TRY(box.out, Dup(spec.stdio.out, "stdout"));
  HOTPLEX_TRY(box.err, Dup(spec.stdio.err, "stderr"));
  HOTPLEX_TRY(box.id, client_->CreateContainer(body, ""));
  auto attach = client_->Attach(box.id);
  if (!attach) {
    (void)client_->Remove(box.id);
    return std::move(attach).error();
  }
  box.client = client_;
  box.attach = std::move(*attach);
  box.wall_time = spec.limits.wall_time;
  box.memory_limit = spec.limits.memory_bytes;
  box.gated = static_cast<bool>(spec.network_ready);
  box.adoptable = params.adoptable;
  HOTPLEX_TRY(std::unique_ptr<DockerSandbox> sandbox, DockerSandbox::Start(std::move(box)));
  // On error the sandbox is destroyed: its container is killed and removed.
  if (params.sources && params.sources->workdir_staged) {
    HOTPLEX_TRY_STATUS(CheckContainerCwd(sandbox->Pid(), params.sources->workdir_id));
  }
  if (spec.network_ready) {  // the payload waits at its gate
    HOTPLEX_TRY_STATUS(RunNetworkHook(spec, sandbox->Pid()));
    sandbox->ReleaseGate();
  }
  return std::unique_ptr<Sandbox>(std::move(sandbox));
}

std::string DockerBackend::StagingDir() const {
  if (!options_.bind_staging_dir.empty()) return options_.bind_staging_dir;
  std::string name = options_.instance;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return "/run/hotplex-docker-binds/" + name;
}

// The egress hook on the container's network namespace, reached as
// /proc/<pid>/ns/net of its init: hotplexd must share the host's pid namespace.
Status DockerBackend::RunNetworkHook(const SandboxSpec& spec, pid_t pid) {
  const std::string ns = "/proc/" + std::to_string(pid) + "/ns/net";
  if (pid <= 0 || ::access(ns.c_str(), F_OK) != 0) {
    return MakeError("egress with the docker backend: the container's network namespace (" + ns +
                     ") is not visible to hotplexd; run it in the host's pid namespace as root "
                     "(compose: pid: host), or use the namespace backend");
  }
  auto done = spec.network_ready(pid);
  if (!done) return MakeError("egress setup in the container: " + done.error().Describe());
  return {};
}

std::string OutputLineDigest(std::string_view line) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : line) hash = (hash ^ c) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

Result<std::string> DockerInstanceForStateDir(const std::string& state_dir) {
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::canonical(state_dir, ec);
  if (ec) return MakeError("docker instance name: state dir " + state_dir + ": " + ec.message());
  // FNV-1a: stable across builds and hosts (std::hash is not), short, no dependency.
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : canonical.string()) hash = (hash ^ c) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return "hotplexd-" + std::string(hex);
}

Result<std::unique_ptr<Backend>> MakeDockerBackend(const DockerOptions& options) {
  HOTPLEX_TRY(std::unique_ptr<DockerBackend> backend, DockerBackend::Create(options));
  return std::unique_ptr<Backend>(std::move(backend));
}

}  // namespace hotplex::sandbox
