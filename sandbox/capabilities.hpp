// Capabilities: the child-side step that drops every capability (bounding,
// ambient, inheritable, effective, permitted) and locks the securebits so that
// none can come back through execve. Prepared in the parent with libcap.
#pragma once

#include <sys/capability.h>

#include <memory>

#include "common/result.hpp"

namespace hotplex::sandbox {

class CapabilityDropper {
 public:
  static Result<CapabilityDropper> Prepare();

  // Child side, async-signal-safe. Returns the failing step name, or nullptr.
  const char* DropAll() const;

 private:
  struct CapDeleter {
    void operator()(cap_t caps) const { cap_free(caps); }
  };
  std::unique_ptr<std::remove_pointer_t<cap_t>, CapDeleter> empty_;
  int last_cap_ = 0;
};

}  // namespace hotplex::sandbox
