#include "supervisor/transcript_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>

namespace hotplex::supervisor {

Result<TranscriptDir> TranscriptDir::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return MakeError("transcripts: create " + path + ": " + ec.message());
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return ErrnoError("open", "transcripts dir " + path + " (a symlink is refused)");
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0) return ErrnoError("fstat", path);
  if (st.st_uid != ::geteuid()) {
    return MakeError("transcripts dir " + path + " is owned by uid " + std::to_string(st.st_uid) +
                     ", not the daemon's uid " + std::to_string(::geteuid()) +
                     ": chown it to the daemon's user or remove it");
  }
  if (::fchmod(fd.Get(), 0700) != 0) return ErrnoError("fchmod", path);
  return TranscriptDir(std::move(fd), path);
}

hotplex::Status TranscriptDir::CheckFile(int fd, std::string_view name) const {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("fstat", "transcript " + std::string(name));
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != ::geteuid()) {
    return MakeError("transcript " + path_ + "/" + std::string(name) +
                     " is not a regular file with one link owned by the daemon; refused");
  }
  return {};
}

Result<UniqueFd> TranscriptDir::OpenForAppend(std::string_view name) const {
  const std::string n(name);
  UniqueFd fd(::openat(fd_.Get(), n.c_str(),
                       O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError("openat", "transcript " + path_ + "/" + n + " (a link is refused)");
  HOTPLEX_TRY_STATUS(CheckFile(fd.Get(), name));
  return fd;
}

Result<UniqueFd> TranscriptDir::OpenForRead(std::string_view name) const {
  const std::string n(name);
  UniqueFd fd(::openat(fd_.Get(), n.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd && errno == ENOENT) return UniqueFd();
  if (!fd) return ErrnoError("openat", "transcript " + path_ + "/" + n + " (a link is refused)");
  HOTPLEX_TRY_STATUS(CheckFile(fd.Get(), name));
  return fd;
}

std::uint64_t TranscriptDir::SizeOf(std::string_view name) const {
  struct stat st {};
  const std::string n(name);
  if (::fstatat(fd_.Get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
  return S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
}

hotplex::Status TranscriptDir::Remove(std::string_view name) const {
  const std::string n(name);
  if (::unlinkat(fd_.Get(), n.c_str(), 0) != 0 && errno != ENOENT) {
    return ErrnoError("unlinkat", "transcript " + path_ + "/" + n);
  }
  return {};
}

hotplex::Status WriteAllTo(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write", "transcript");
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

hotplex::Status ForEachLine(int fd, std::size_t max_line,
                            const std::function<bool(std::string_view line)>& each) {
  std::array<char, 1 << 16> buffer{};
  std::string line;
  bool skipping = false;  // inside a line over max_line
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", "transcript");
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      const auto nl = chunk.find('\n');
      const auto piece = chunk.substr(0, nl);
      if (!skipping && line.size() + piece.size() > max_line) skipping = true;
      if (!skipping) line.append(piece);
      if (nl == std::string_view::npos) break;
      chunk.remove_prefix(nl + 1);
      if (!skipping && !each(line)) return {};
      line.clear();
      skipping = false;
    }
  }
  if (!skipping && !line.empty()) each(line);
  return {};
}

}  // namespace hotplex::supervisor
