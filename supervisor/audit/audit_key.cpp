#include "supervisor/audit/audit_key.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "common/unique_fd.hpp"
#include "supervisor/audit/hmac_sha256.hpp"

namespace hotplex::supervisor {
namespace {

constexpr std::size_t kKeyBytes = 32;

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<UniqueFd> OpenNoFollow(const std::string& path, int flags, const char* what) {
  UniqueFd fd(::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd) return fd;
  if (errno == ELOOP) {
    return MakeError(std::string(what) + " " + path +
                     " is a symbolic link: replace it with the file itself (0600, owned by uid " +
                     std::to_string(::geteuid()) + ")");
  }
  return ErrnoError("open", std::string(what) + " " + path);
}

Result<std::string> ReadSmall(int fd, const std::string& path) {
  std::string text(256, '\0');
  std::size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", "audit key file " + path);
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

Result<AuditKey> Parse(const std::string& text, const std::string& path) {
  auto bytes = HexDecode(text);
  if (!bytes || bytes->size() != kKeyBytes) {
    return MakeError("audit key file " + path +
                     " does not hold a key (64 hex digits): restore it from your backup");
  }
  AuditKey key = AuditKey::FromBytes(std::move(*bytes));
  return key;
}

Result<std::string> WriteNewKey(const std::string& path) {
  std::string bytes(kKeyBytes, '\0');
  if (::getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    return ErrnoError("getrandom", "audit key");
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError("open", "create audit key file " + path);
  const std::string text = HexEncode(bytes) + "\n";
  if (::fchmod(fd.Get(), 0600) != 0 ||
      ::write(fd.Get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd.Get()) != 0) {
    return ErrnoError("write", "audit key file " + path);
  }
  // The directory entry too: a key lost in a crash would orphan every signed record.
  UniqueFd dir(::open(std::filesystem::path(path).parent_path().c_str(),
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) (void)::fsync(dir.Get());
  return bytes;
}

}  // namespace

hotplex::Status CheckPrivateFile(int fd, const std::string& path, const char* what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("fstat", std::string(what) + " " + path);
  const std::string euid = std::to_string(::geteuid());
  if (!S_ISREG(st.st_mode)) {
    return MakeError(std::string(what) + " " + path +
                     " is not a regular file: replace it with the file itself");
  }
  if (st.st_uid != ::geteuid()) {
    return MakeError(std::string(what) + " " + path + " is owned by uid " +
                     std::to_string(st.st_uid) + ", not by the daemon's uid " + euid +
                     ": if it is the daemon's own file, run `chown " + euid + " " + path +
                     "` (and find out who changed it)");
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(std::string(what) + " " + path + " has mode " + Octal(st.st_mode) +
                     " (group/others may access it): run `chmod 600 " + path + "`");
  }
  return {};
}

Result<AuditKey> AuditKey::LoadForDaemon(const std::string& path, bool may_create) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && errno == ENOENT) {
    if (!may_create) {
      return MakeError("audit key file " + path +
                       " is missing, but audit.db holds records signed with a key: restore "
                       "the key file (a new key would leave every signed record unverifiable)");
    }
    auto bytes = WriteNewKey(path);
    if (!bytes && bytes.error().sys_errno != EEXIST) return bytes.error();
    if (bytes) {
      AuditKey key = FromBytes(std::move(*bytes));
      key.path_ = path;
      key.created_ = true;
      return key;
    }
  }
  if (!fd) {  // reopened only to name why (a link) or after losing a creation race
    HOTPLEX_TRY(fd, OpenNoFollow(path, O_RDONLY, "audit key file"));
  }
  HOTPLEX_TRY_STATUS(CheckPrivateFile(fd.Get(), path, "audit key file"));
  HOTPLEX_TRY(std::string text, ReadSmall(fd.Get(), path));
  HOTPLEX_TRY(AuditKey key, Parse(text, path));
  key.path_ = path;
  return key;
}

Result<AuditKey> AuditKey::LoadForVerify(const std::string& path) {
  HOTPLEX_TRY(UniqueFd fd, OpenNoFollow(path, O_RDONLY, "audit key file"));
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return MakeError("audit key file " + path + " is not a regular file");
  }
  HOTPLEX_TRY(std::string text, ReadSmall(fd.Get(), path));
  HOTPLEX_TRY(AuditKey key, Parse(text, path));
  key.path_ = path;
  return key;
}

AuditKey AuditKey::FromBytes(std::string bytes) {
  AuditKey key;
  key.bytes_ = std::move(bytes);
  key.id_ = HmacSha256Hex(key.bytes_, "hotplex audit key id").substr(0, 16);
  return key;
}

std::string AuditKey::Mac(std::string_view message) const { return HmacSha256Hex(bytes_, message); }

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return MakeError("odd number of hex digits");
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return MakeError("not a hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace hotplex::supervisor
