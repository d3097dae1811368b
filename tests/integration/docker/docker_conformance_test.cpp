// The backend conformance suites on the docker backend.
#include "backend_conformance.hpp"
#include "conformance_isolation.hpp"
#include "conformance_lifecycle.hpp"
#include "docker_harness.hpp"

namespace hotplex::sandbox::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Docker, BackendConformance, DockerSandboxTest);
INSTANTIATE_TYPED_TEST_SUITE_P(Docker, BackendIsolation, DockerSandboxTest);
INSTANTIATE_TYPED_TEST_SUITE_P(Docker, BackendLifecycle, DockerSandboxTest);
INSTANTIATE_TYPED_TEST_SUITE_P(Docker, BackendLimits, DockerSandboxTest);
}  // namespace hotplex::sandbox::testing
