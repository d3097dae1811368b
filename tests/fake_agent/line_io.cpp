#include "tests/fake_agent/line_io.hpp"

#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

namespace hotplex::fake_agent {

bool LineReader::TakeLine(std::string& line) {
  const auto newline = buffer_.find('\n', scanned_);
  if (newline == std::string::npos) {
    scanned_ = buffer_.size();
    if (!eof_ || buffer_.empty()) return false;
    line = std::move(buffer_);
    buffer_.clear();
    scanned_ = 0;
    return true;
  }
  line = buffer_.substr(0, newline);
  buffer_.erase(0, newline + 1);
  scanned_ = 0;
  return true;
}

LineReader::Status LineReader::Next(std::optional<Clock::time_point> deadline, std::string& line) {
  char chunk[65536];
  while (true) {
    if (TakeLine(line)) return Status::kLine;
    if (eof_) return Status::kEof;
    int timeout_ms = -1;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) return Status::kTimeout;
      timeout_ms = static_cast<int>(left.count());
    }
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above decides
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool WriteLine(int fd, const std::string& line) {
  static const char kNewline = '\n';
  std::size_t done = 0;
  const std::size_t total = line.size() + 1;
  while (done < total) {
    iovec parts[2];
    int count = 0;
    if (done < line.size()) {
      parts[count++] = {const_cast<char*>(line.data()) + done, line.size() - done};
    }
    parts[count++] = {const_cast<char*>(&kNewline), 1};
    const ssize_t n = ::writev(fd, parts, count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd pfd{fd, POLLOUT, 0};
      ::poll(&pfd, 1, -1);
      continue;
    }
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace hotplex::fake_agent
