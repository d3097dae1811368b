// ChatInput: what the person at `hotplexd chat` does, as a sequence of items:
// a typed line, Ctrl-C (SIGINT, caught through a self-pipe so it can never
// interrupt a half-done write), or the end of input (Ctrl-D, a closed pipe).
// Lines are bounded: a longer one is skipped whole and reported once.
// Thread-safety: one owner thread; one ChatInput per process (it owns the
// SIGINT handler while it lives, and restores the previous one).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::cli {

class ChatInput {
 public:
  enum class Kind { kLine, kInterrupt, kEnd, kTimeout, kTooLong };
  struct Item {
    Kind kind = Kind::kTimeout;
    std::string line;  // kLine: without its \n (and \r)
  };

  // Reads from `fd` (not owned); installs the SIGINT handler.
  static Result<std::unique_ptr<ChatInput>> Open(int fd, std::size_t max_line_bytes);
  ~ChatInput();
  ChatInput(const ChatInput&) = delete;
  ChatInput& operator=(const ChatInput&) = delete;

  // The next item, or kTimeout after `timeout` without one.
  Item Next(std::chrono::milliseconds timeout);

 private:
  ChatInput(int fd, std::size_t max_line_bytes, UniqueFd signal_read, UniqueFd signal_write)
      : fd_(fd),
        max_line_bytes_(max_line_bytes),
        signal_read_(std::move(signal_read)),
        signal_write_(std::move(signal_write)) {}
  bool TakeLine(Item& item);
  void ReadMore();

  int fd_;
  std::size_t max_line_bytes_;
  UniqueFd signal_read_;
  UniqueFd signal_write_;  // written by the handler only
  std::string buffer_;
  bool skipping_ = false;  // inside a line that went over the bound
  bool eof_ = false;
};

}  // namespace hotplex::cli
