// Small parent-side file helpers for /proc and cgroupfs control files.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex::sandbox {

// Writes `content` with one write(2) (cgroupfs and /proc want single writes).
Status WriteControlFile(const std::string& path, std::string_view content);
Result<std::string> ReadSmallFile(const std::string& path);
// Value of "key N" in a flat-keyed file such as memory.events; 0 when absent.
std::uint64_t ReadKeyedCounter(const std::string& path, std::string_view key);
// mkdir -p with mode 0755; success when the directory already exists.
Status MakeDirs(const std::string& path);

}  // namespace hotplex::sandbox
