// LineSplitter: turns a byte stream (an agent's stdout) into lines.
//
// Lines longer than the limit (1 MiB by default, daemon config
// events.max_line_bytes) are not fatal: the first
// `limit` bytes are delivered flagged `truncated`, the rest of that line is
// discarded. A trailing '\r' is kept (providers decide); the '\n' is not.
// Thread-safety: one owner (the session's strand).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hotplex::supervisor {

inline constexpr std::size_t kDefaultMaxLineBytes = 1u << 20;

class LineSplitter {
 public:
  using LineHandler = std::function<void(std::string_view line, bool truncated)>;

  explicit LineSplitter(std::size_t max_line_bytes = kDefaultMaxLineBytes)
      : max_line_bytes_(max_line_bytes) {}

  void Feed(std::string_view bytes, const LineHandler& on_line);
  // End of stream: delivers an unterminated last line, if any.
  void Finish(const LineHandler& on_line);

 private:
  const std::size_t max_line_bytes_;
  std::string pending_;
  bool discarding_ = false;  // inside the tail of a cut line
};

}  // namespace hotplex::supervisor
