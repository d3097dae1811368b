// LogLine: the daemon's one log format — one JSON object per line on stderr:
//   {"component":"audit","level":"error","msg":"audit WAL checkpoint failed","ts":"…",…}
// `ts` (RFC 3339 UTC), `level` (info|warn|error), `component` and `msg` are always
// there; `fields` adds keys of its own (an `error` text, a `path`, counts). Keys
// come out sorted (common/json_text.hpp), invalid UTF-8 replaced.
// Log once, where an error is handled.
// Thread-safety: any thread; each line is written with one fwrite, so lines of
// concurrent writers never interleave.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hotplex {

enum class LogLevel { kInfo, kWarn, kError };

// The text of one line, without the newline (for tests and for LogLine).
std::string FormatLogLine(LogLevel level, std::string_view component, std::string_view msg,
                          const nlohmann::json& fields = nlohmann::json::object());
// Writes FormatLogLine(...) and a newline to stderr.
void LogLine(LogLevel level, std::string_view component, std::string_view msg,
             const nlohmann::json& fields = nlohmann::json::object());

}  // namespace hotplex
