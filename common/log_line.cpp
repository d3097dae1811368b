#include "common/log_line.hpp"

#include <cstdio>

#include "common/json_text.hpp"

namespace hotplex {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "error";
}

}  // namespace

std::string FormatLogLine(LogLevel level, std::string_view component, std::string_view msg,
                          const nlohmann::json& fields) {
  nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
  line["ts"] = FormatTimestamp(std::chrono::system_clock::now());
  line["level"] = LevelName(level);
  line["component"] = std::string(component);
  line["msg"] = std::string(msg);
  return DumpJson(line);
}

void LogLine(LogLevel level, std::string_view component, std::string_view msg,
             const nlohmann::json& fields) {
  const std::string text = FormatLogLine(level, component, msg, fields) + "\n";
  // One fwrite per line: stdio holds the stream's lock for the whole call, so
  // lines of concurrent writers never interleave (stderr is unbuffered).
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace hotplex
