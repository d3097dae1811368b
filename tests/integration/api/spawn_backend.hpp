// SpawnBackend: a test double of sandbox::Backend that runs the payload as a
// plain child process (posix_spawn, its own process group, a pidfd) with
// exactly the spec's argv, env, workdir and stdio — no isolation at all.
// It lets the API and supervisor tests run fast and without the namespace
// jail; the e2e tests use the real backends. Kill() kills the whole group.
// Thread-safety: like the real backends (a Sandbox has one owner at a time).
#pragma once

#include <memory>

#include "sandbox/backend.hpp"

namespace hotplex::testing {

std::unique_ptr<sandbox::Backend> MakeSpawnBackend();

}  // namespace hotplex::testing
