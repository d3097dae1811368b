// Path confinement for file tools: a path is resolved the way the kernel would
// resolve it (symlinks followed for every part that exists, `..` applied to
// the resolved parent, the missing rest appended lexically), and only then
// compared with the allowed roots. Paths are never pattern-matched.
// Thread-safety: pure functions (they read the filesystem).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex::policies {

// Absolute, symlink-free form of `path`; relative paths start at `base`.
Result<std::string> ResolvePath(std::string_view path, std::string_view base);

// True if `path` equals `root` or lies below it (both already resolved).
bool IsWithin(std::string_view path, std::string_view root);

}  // namespace hotplex::policies
