// Test harness: the namespace suite's SandboxTest with the docker backend.
//
// Same Spec()/Run()/Start() (the probe directory mounted at /opt/probe, the
// workdir owned by kTestUid), but backend_ is a DockerBackend running the
// hotplex/sandbox-test image (HOTPLEX_DOCKER_TEST_IMAGE overrides) with an
// instance label of its own, so parallel test processes never reconcile each
// other's containers.
#pragma once

#include <string>

#include "sandbox/docker_backend.hpp"
#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {

std::string DockerTestImage();
// A DockerOptions for tests: the test image and a per-process instance label.
DockerOptions TestDockerOptions();
// Containers carrying this process's instance label (running or not).
std::size_t CountInstanceContainers(const DockerClient& client);

class DockerSandboxTest : public SandboxTest {
 protected:
  void SetUp() override;
  const DockerClient& Client() const;
};

}  // namespace hotplex::sandbox::testing
