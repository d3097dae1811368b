#include "sandbox/docker_backend.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "sandbox/docker_container_spec.hpp"
#include "sandbox/docker_sandbox.hpp"
#include "sandbox/docker_seccomp_profile.hpp"

namespace hotplex::sandbox {
namespace {

Result<UniqueFd> Dup(int fd, const char* what) {
  UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (!copy) return ErrnoError("dup", what);
  return copy;
}

}  // namespace

Result<std::unique_ptr<DockerBackend>> DockerBackend::Create(const DockerOptions& options) {
  HOTPLEX_TRY(DockerClient client, DockerClient::Connect(options.socket_path));
  std::unique_ptr<DockerBackend> backend(
      new DockerBackend(options, std::make_shared<const DockerClient>(std::move(client))));
  if (options.remove_leftovers) HOTPLEX_TRY_STATUS(backend->Reconcile());
  return backend;
}

Status DockerBackend::Reconcile() {
  HOTPLEX_TRY(std::vector<std::string> ids,
              client_->ListByLabel(kLabelInstance, options_.instance));
  for (const std::string& id : ids) {
    HOTPLEX_TRY_STATUS(client_->Remove(id));
    ++reconciled_;
  }
  return {};
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
    return MakeError("a network_ready hook needs the sandbox's own network namespace, "
                     "not the host's");
  }
  DockerCreateParams params;
  params.image = spec.image.empty() ? options_.default_image : spec.image;
  params.instance = options_.instance;
  params.tmp_bytes = options_.tmp_bytes;
  params.docker_socket = client_->SocketPath();
  HOTPLEX_TRY(params.seccomp_json, SeccompJson(spec));
  HOTPLEX_TRY(nlohmann::json body, DockerCreateBody(spec, params));
  HOTPLEX_TRY_STATUS(client_->EnsureImage(params.image));
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
  HOTPLEX_TRY(std::unique_ptr<DockerSandbox> sandbox, DockerSandbox::Start(std::move(box)));
  if (spec.network_ready) {  // the payload waits at its gate; on error the box is removed
    HOTPLEX_TRY_STATUS(RunNetworkHook(spec, sandbox->Pid()));
    sandbox->ReleaseGate();
  }
  return std::unique_ptr<Sandbox>(std::move(sandbox));
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
