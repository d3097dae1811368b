// The backend conformance suite on the docker backend.
#include "backend_conformance.hpp"
#include "docker_harness.hpp"

namespace hotplex::sandbox::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Docker, BackendConformance, DockerSandboxTest);
}  // namespace hotplex::sandbox::testing
