#include "common/json_text.hpp"

#include <cstdio>
#include <ctime>

namespace hotplex {

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FormatTimestamp(std::chrono::system_clock::time_point tp) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  (void)std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms.count() % 1000));
  return buf;
}

}  // namespace hotplex
