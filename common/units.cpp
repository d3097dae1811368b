#include "common/units.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace hotplex {
namespace {

// Multiplier for a size suffix, or 0 when the suffix is not one.
std::uint64_t SizeMultiplier(std::string_view suffix) {
  if (suffix.empty() || suffix == "B" || suffix == "b") return 1;
  const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0])));
  const std::string_view rest = suffix.substr(1);
  if (!(rest.empty() || rest == "B" || rest == "b" || rest == "iB" || rest == "ib")) return 0;
  switch (unit) {
    case 'K': return 1ull << 10;
    case 'M': return 1ull << 20;
    case 'G': return 1ull << 30;
    case 'T': return 1ull << 40;
    default: return 0;
  }
}

Error UnitError(std::string_view what, std::string_view text, std::string_view expected) {
  return MakeError("invalid " + std::string(what) + " '" + std::string(text) + "': expected " +
                   std::string(expected));
}

}  // namespace

Result<std::uint64_t> ParseByteSize(std::string_view text) {
  constexpr std::string_view kExpected =
      "a whole number with an optional unit K, M, G or T (e.g. 512M)";
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return UnitError("size", text, "a smaller number");
  if (ec != std::errc() || end == text.data()) return UnitError("size", text, kExpected);
  const std::uint64_t mult = SizeMultiplier(std::string_view(end, text.data() + text.size() - end));
  if (mult == 0) return UnitError("size", text, kExpected);
  if (value > std::numeric_limits<std::uint64_t>::max() / mult) {
    return UnitError("size", text, "a smaller number");
  }
  return value * mult;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  constexpr std::string_view kExpected = "a duration such as 30s, 5m, 250ms or 1h30m";
  if (text.empty()) return UnitError("duration", text, kExpected);
  const bool bare_number = text.find_first_not_of("0123456789") == std::string_view::npos;
  std::uint64_t total_ms = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || end == rest.data()) return UnitError("duration", text, kExpected);
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    std::size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) {
      ++unit_len;
    }
    const std::string_view unit = rest.substr(0, unit_len);
    rest.remove_prefix(unit_len);
    std::uint64_t mult = 0;
    if (unit == "ms")
      mult = 1;
    else if (unit == "s" || (unit.empty() && bare_number))
      mult = 1000;
    else if (unit == "m")
      mult = 60'000;
    else if (unit == "h")
      mult = 3'600'000;
    else if (unit == "d")
      mult = 86'400'000;
    else
      return UnitError("duration", text, kExpected);
    constexpr std::uint64_t kMaxMs = 100ull * 365 * 86'400'000;  // a century
    if (value > kMaxMs / mult || total_ms + value * mult > kMaxMs) {
      return UnitError("duration", text, "a duration shorter than a century");
    }
    total_ms += value * mult;
  }
  return std::chrono::milliseconds(total_ms);
}

Result<double> ParseCpuCores(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !(value > 0) || value > 1024) {
    return UnitError("cpu amount", text, "a number of cores greater than 0, e.g. 1.5");
  }
  return value;
}

std::string FormatByteSize(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (value == static_cast<double>(static_cast<std::uint64_t>(value))) {
    (void)std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(value),
                        kUnits[unit]);
  } else {
    (void)std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
  }
  return buf;
}

}  // namespace hotplex
