// Test harness: the namespace suite's SandboxTest with the docker backend.
//
// Same Spec()/Run()/Start() (the probe directory mounted at /opt/probe, the
// workdir owned by kTestUid), but backend_ is a DockerBackend running the
// hotplex/sandbox-test image (HOTPLEX_DOCKER_TEST_IMAGE overrides) with an
// instance label of its own, so parallel test processes never reconcile each
// other's containers.
#pragma once

#include <string>
#include <vector>

#include "sandbox/docker/docker_backend.hpp"
#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {

std::string DockerTestImage();
// A DockerOptions for tests: the test image and a per-process instance label.
DockerOptions TestDockerOptions();
// Containers carrying this process's instance label (running or not).
std::size_t CountInstanceContainers(const DockerClient& client);

class DockerSandboxTest : public SandboxTest {
 public:
  // Conformance traits (sandbox_harness.hpp), by design (sandbox/docker/DOCKER.md):
  // the image's own /etc, with shadow unreadable rather than absent;
  static constexpr const char* kShadowError = "Permission denied";
  // the image's directories (/var, /home) are there, read-only;
  static constexpr bool kSystemDirsHidden = false;
  // no user namespace: the payload runs as the workspace owner's host ids;
  static constexpr uid_t kPayloadUid = kTestUid;
  static constexpr gid_t kPayloadGid = kTestGid;
  // Docker adds HOSTNAME, and HOME (the uid has no passwd entry).
  static std::vector<std::string> AddedEnv() { return {"HOME", "HOSTNAME"}; }

 protected:
  void SetUp() override;
  const DockerClient& Client() const;
};

}  // namespace hotplex::sandbox::testing
