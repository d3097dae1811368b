// DockerBackend: sandboxes as Docker containers, driven over the Engine API.
//
// Launch(): check the image is present (never pulled: no registry), build the
// create body (docker_container_spec), create, attach (before start, so no
// output is lost), start. Each Sandbox owns its container (docker_sandbox).
// At construction the backend reconciles containers labelled with its
// instance name by an earlier run: `kRemove` force-removes them all; `kAdopt`
// keeps the running adoptable ones for Reattach() (a restarted supervisor takes
// its sessions' agents back) and removes the rest, and DiscardUnclaimed() the
// ones nobody took. Never leaked. Egress: NetworkMode none, or host when the spec says so;
// egress proxying reaches a docker sandbox the same way as the namespace one
// (see sandbox/README.md). Thread-safety: Launch may run on several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sandbox/backend.hpp"
#include "sandbox/docker/docker_client.hpp"
#include "sandbox/docker/docker_container_spec.hpp"
#include "sandbox/docker/docker_reconcile.hpp"

namespace hotplex::sandbox {

struct DockerOptions {
  // Unix socket of dockerd; empty = DOCKER_HOST (unix://) or /var/run/docker.sock.
  std::string socket_path;
  // Image for specs without one (policies normally name theirs in sandbox.image).
  std::string default_image = "hotplex/sandbox-base";
  // io.hotplex.instance label of every container this backend creates; reconcile
  // touches only containers with the same value, so two daemons never collide
  // (hotplexd serve derives it from its state dir: DockerInstanceForStateDir).
  std::string instance = "hotplexd";
  // At start: reconcile the containers an earlier run of this instance left
  // behind (true, the default), or leave them alone (false).
  bool remove_leftovers = true;
  DockerReconcile reconcile = DockerReconcile::kRemove;
  // Size of the /tmp tmpfs (and of $HOME when the spec has no home_source).
  std::uint64_t tmp_bytes = 256ull << 20;
  // Root-only directory where bind sources a tenant could re-point (a workdir
  // below its workspace root) are mounted from a pinned fd for dockerd, one
  // subdirectory per launch, removed once the container started
  // (docker_bind_source.hpp). Empty = /run/hotplex-docker-binds/<instance>.
  std::string bind_staging_dir;
};

class DockerBackend final : public Backend {
 public:
  static Result<std::unique_ptr<DockerBackend>> Create(const DockerOptions& options);
  // Removes its staging directory when empty.
  ~DockerBackend() override;

  BackendKind Kind() const override { return BackendKind::kDocker; }
  Result<std::unique_ptr<Sandbox>> Launch(const SandboxSpec& spec) override;

  bool CanReattach() const override { return options_.reconcile == DockerReconcile::kAdopt; }
  Result<std::unique_ptr<Sandbox>> Reattach(const SandboxSpec& spec,
                                            std::chrono::system_clock::time_point quiet_since,
                                            std::string_view last_line = {}) override;
  std::size_t DiscardUnclaimed() override;

  const DockerClient& Client() const { return *client_; }
  // How many leftover containers the reconcile removed (at start, by a failed
  // Reattach and by DiscardUnclaimed).
  std::size_t ReconciledCount() const { return reconciled_; }
  // How many were kept for Reattach at start, and how many were reattached.
  std::size_t AdoptableCount() const { return adoptable_count_; }
  std::size_t ReattachedCount() const { return reattached_; }

 private:
  DockerBackend(DockerOptions options, std::shared_ptr<const DockerClient> client)
      : options_(std::move(options)), client_(std::move(client)) {}
  Status Reconcile();
  bool Adoptable(const ContainerSummary& c) const;
  Result<std::unique_ptr<Sandbox>> AttachTo(const SandboxSpec& spec, const ContainerSummary& c,
                                            std::chrono::system_clock::time_point quiet_since,
                                            std::string_view last_line);
  Status RunNetworkHook(const SandboxSpec& spec, pid_t pid);
  Result<std::string> SeccompJson(const SandboxSpec& spec);
  std::string StagingDir() const;
  Result<std::unique_ptr<Sandbox>> CreateAndStart(const SandboxSpec& spec,
                                                  const DockerCreateParams& params,
                                                  const nlohmann::json& body);

  DockerOptions options_;
  std::shared_ptr<const DockerClient> client_;
  std::atomic<std::size_t> reconciled_{0};
  std::size_t adoptable_count_ = 0;
  std::atomic<std::size_t> reattached_{0};
  std::mutex leftovers_mu_;
  std::map<std::string, ContainerSummary> leftovers_;  // adoptable, by io.hotplex.session
  std::mutex seccomp_mu_;
  std::map<std::vector<std::string>, std::string> seccomp_cache_;
  std::atomic<std::uint64_t> launches_{0};  // names each launch's staging dir
};

// The instance name of a daemon keeping its state in `state_dir`: "hotplexd-" and 16
// hex digits of a stable hash (FNV-1a 64) of the directory's canonical path. A
// restarted daemon (same state dir) finds its own leftovers; a daemon with another
// state dir on the same dockerd never removes them. The directory must exist.
Result<std::string> DockerInstanceForStateDir(const std::string& state_dir);

// The Backend interface's factory, like MakeNamespaceBackend.
Result<std::unique_ptr<Backend>> MakeDockerBackend(const DockerOptions& options = {});

}  // namespace hotplex::sandbox
