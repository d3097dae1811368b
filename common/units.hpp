// Parsing of the human units used on command lines and in policy files:
// byte sizes ("512M", "1GiB", "64k"), durations ("30s", "5m", "250ms", "1h30m")
// and CPU amounts ("1.5"). Each returns a clear error saying what was expected.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex {

// Accepts an integer with an optional suffix k/K/KB/KiB, M..., G..., T... (all
// binary multiples). "0" is allowed. Overflow is an error.
Result<std::uint64_t> ParseByteSize(std::string_view text);
// Accepts one or more <number><unit> groups with units ms, s, m, h, d; a bare
// number means seconds.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// Accepts a positive decimal number of cores, at most 1024.
Result<double> ParseCpuCores(std::string_view text);
// "64 MiB", "1.5 GiB", "512 B".
std::string FormatByteSize(std::uint64_t bytes);

}  // namespace hotplex
