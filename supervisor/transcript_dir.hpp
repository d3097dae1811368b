// TranscriptDir: the transcripts directory, held open by fd, and the files in
// it, always opened beneath that fd and never through a link.
//
// Root writes and reads these files on a tenant's behalf, so a name is only
// ever a single component (a checked session id), resolved with openat() from
// the directory's fd; O_NOFOLLOW refuses a symlink planted in its place,
// O_NONBLOCK keeps a planted FIFO from blocking the writer, and a file that is
// not a regular file with one link owned by the daemon is refused (a hard link
// to a host file would pass O_NOFOLLOW). The directory itself must be owned by
// the daemon's uid; it is made 0700.
// Thread-safety: immutable after Open; the methods are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::supervisor {

class TranscriptDir {
 public:
  // Creates `path` if needed, opens it without following a link in its last
  // component, checks the owner and makes it 0700.
  static Result<TranscriptDir> Open(const std::string& path);

  // The file `name` (one path component) for appending, created 0600.
  Result<UniqueFd> OpenForAppend(std::string_view name) const;
  // The file for reading; an invalid fd when there is none.
  Result<UniqueFd> OpenForRead(std::string_view name) const;
  // Its size; 0 when it does not exist or is not a regular file.
  std::uint64_t SizeOf(std::string_view name) const;
  hotplex::Status Remove(std::string_view name) const;
  const std::string& Path() const { return path_; }

 private:
  TranscriptDir(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  hotplex::Status CheckFile(int fd, std::string_view name) const;

  UniqueFd fd_;
  std::string path_;
};

hotplex::Status WriteAllTo(int fd, std::string_view text);
// Calls `each` with every line of `fd` (without its '\n') until it returns
// false. Lines over `max_line` bytes are skipped (no transcript line is that long).
hotplex::Status ForEachLine(int fd, std::size_t max_line,
                            const std::function<bool(std::string_view line)>& each);

}  // namespace hotplex::supervisor
