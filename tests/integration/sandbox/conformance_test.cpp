// The backend conformance suite on the namespace backend.
#include "backend_conformance.hpp"

namespace hotplex::sandbox::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Namespace, BackendConformance, SandboxTest);
}  // namespace hotplex::sandbox::testing
