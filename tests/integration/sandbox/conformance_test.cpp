// The backend conformance suites on the namespace backend.
#include "backend_conformance.hpp"
#include "conformance_isolation.hpp"
#include "conformance_lifecycle.hpp"

namespace hotplex::sandbox::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Namespace, BackendConformance, SandboxTest);
INSTANTIATE_TYPED_TEST_SUITE_P(Namespace, BackendIsolation, SandboxTest);
INSTANTIATE_TYPED_TEST_SUITE_P(Namespace, BackendLifecycle, SandboxTest);
INSTANTIATE_TYPED_TEST_SUITE_P(Namespace, BackendLimits, SandboxTest);
}  // namespace hotplex::sandbox::testing
