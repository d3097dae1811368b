// Line-oriented stdin/stdout for the fake agent: a poll-based reader with deadlines (so
// slow output can notice an interrupt without threads) and a writer that writes whole
// lines, however long. Thread-safety: one owner thread each.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace hotplex::fake_agent {

using Clock = std::chrono::steady_clock;

class LineReader {
 public:
  enum class Status { kLine, kTimeout, kEof };

  explicit LineReader(int fd) : fd_(fd) {}
  // Waits for a complete line until `deadline` (nullopt: no deadline). A last line
  // without a newline is returned at EOF.
  Status Next(std::optional<Clock::time_point> deadline, std::string& line);
  bool AtEof() const { return eof_ && buffer_.empty(); }

 private:
  bool TakeLine(std::string& line);

  int fd_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ already known to hold no newline
  bool eof_ = false;
};

// Writes `line` plus '\n' to fd, retrying short writes. False when the fd is gone.
bool WriteLine(int fd, const std::string& line);

}  // namespace hotplex::fake_agent
