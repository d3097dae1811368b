#include "api/cli/cli_chat_input.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace hotplex::cli {
namespace {

// The handler's only state: the write end of the self-pipe.
std::atomic<int> g_signal_fd{-1};
struct sigaction g_previous_sigint;

void OnSigint(int) {
  const int saved = errno;
  const char byte = 'i';
  // Non-blocking: with the pipe full, a Ctrl-C is already pending anyway.
  [[maybe_unused]] const ssize_t n = ::write(g_signal_fd.load(), &byte, 1);
  errno = saved;
}

}  // namespace

Result<std::unique_ptr<ChatInput>> ChatInput::Open(int fd, std::size_t max_line_bytes) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return ErrnoError("pipe2", "Ctrl-C pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  g_signal_fd = write_end.Get();
  struct sigaction action = {};
  action.sa_handler = OnSigint;
  // SA_RESTART: the HTTP calls of the other thread see no EINTR.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGINT, &action, &g_previous_sigint) != 0)
    return ErrnoError("sigaction", "SIGINT");
  return std::unique_ptr<ChatInput>(
      new ChatInput(fd, max_line_bytes, std::move(read_end), std::move(write_end)));
}

ChatInput::~ChatInput() {
  ::sigaction(SIGINT, &g_previous_sigint, nullptr);
  g_signal_fd = -1;
}

ChatInput::Item ChatInput::Next(std::chrono::milliseconds timeout) {
  Item item;
  if (TakeLine(item)) return item;
  if (eof_) return Item{Kind::kEnd, {}};
  pollfd fds[2] = {{signal_read_.Get(), POLLIN, 0}, {fd_, POLLIN, 0}};
  const int ready = ::poll(fds, 2, static_cast<int>(timeout.count()));
  if (ready <= 0) return item;  // timeout, or EINTR from the SIGINT whose byte the next call reads
  if (fds[0].revents & POLLIN) {
    char drain[64];
    while (::read(signal_read_.Get(), drain, sizeof drain) > 0) {
    }
    return Item{Kind::kInterrupt, {}};
  }
  if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
    ReadMore();
    if (TakeLine(item)) return item;
    if (eof_) return Item{Kind::kEnd, {}};
  }
  return item;
}

// Appends what is there to buffer_; a read error other than EINTR ends the input.
void ChatInput::ReadMore() {
  char chunk[64 * 1024];
  const ssize_t n = ::read(fd_, chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    eof_ = true;
    // The last line without a \n is still a line (Ctrl-D after typing).
    if (!buffer_.empty() && !skipping_) buffer_ += '\n';
    return;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
}

// Moves the first complete line of buffer_ into `item`.
bool ChatInput::TakeLine(Item& item) {
  for (;;) {
    const auto end = buffer_.find('\n');
    if (end == std::string::npos) {
      if (buffer_.size() <= max_line_bytes_) return false;
      // Keep reading to the end of that line without holding it.
      buffer_.clear();
      if (!skipping_) return skipping_ = true, item.kind = Kind::kTooLong, true;
      return false;
    }
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 1);
    if (skipping_ || line.size() > max_line_bytes_) {
      const bool report = !skipping_;
      skipping_ = false;
      if (report) return item.kind = Kind::kTooLong, true;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    item.kind = Kind::kLine;
    item.line = std::move(line);
    return true;
  }
}

}  // namespace hotplex::cli
