// The Windows backend: every sandbox is one job object (limits, guaranteed
// tree kill), its payload started suspended with a restricted token, assigned
// to the job, then resumed. Weaker than the Linux jail — see sandbox/README.md,
// "Windows: the job object backend". Thread-safety: Launch may be called from
// several threads.
#pragma once

#include <memory>

#include "sandbox/backend.hpp"

namespace hotplex::sandbox {

struct JobObjectOptions {
  // Run the payload with a restricted, low-integrity token (default). false
  // runs it with the caller's own token: an explicit, unsafe opt-in.
  bool restricted_token = true;
};

std::unique_ptr<Backend> MakeJobObjectBackend(const JobObjectOptions& options = {});

}  // namespace hotplex::sandbox
