#include "sandbox/fs_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>

#include "common/unique_fd.hpp"

namespace hotplex::sandbox {

Status WriteControlFile(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open", path);
  const ssize_t n = ::write(fd.Get(), content.data(), content.size());
  if (n < 0) return ErrnoError("write", path + " <- '" + std::string(content) + "'");
  if (static_cast<std::size_t>(n) != content.size()) return MakeError("short write to " + path);
  return {};
}

Result<std::string> ReadSmallFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open", path);
  std::string out;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (1u << 20)) return MakeError(path + " is larger than 1 MiB");
  }
  return out;
}

std::uint64_t ReadKeyedCounter(const std::string& path, std::string_view key) {
  auto text = ReadSmallFile(path);
  if (!text) return 0;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      std::uint64_t value = 0;
      const auto digits = line.substr(key.size() + 1);
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
      return value;
    }
  }
  return 0;
}

Status MakeDirs(const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("mkdir", prefix);
  }
  return {};
}

}  // namespace hotplex::sandbox
