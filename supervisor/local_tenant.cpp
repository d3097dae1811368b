#include "supervisor/local_tenant.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/unique_fd.hpp"
#include "supervisor/api_key.hpp"

namespace hotplex::supervisor {
namespace fs = std::filesystem;

namespace {

// Keys are one line of ~50 bytes; a bigger file is not one of ours.
constexpr std::size_t kMaxKeyFileBytes = 4096;

Result<std::string> ReadFirstLine(int fd, const std::string& path) {
  std::string text;
  char buf[512];
  while (text.size() < kMaxKeyFileBytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      Error error = ErrnoError("read", path);
      if (error.sys_errno == EINTR) continue;
      return error;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

hotplex::Status WriteKey(int fd, const std::string& path, const std::string& key) {
  // 0600 whatever the umask: the key is never readable by others, not even briefly.
  if (::fchmod(fd, 0600) != 0) return ErrnoError("fchmod", path);
  if (::ftruncate(fd, 0) != 0) return ErrnoError("ftruncate", path);
  const std::string line = key + "\n";
  if (::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    return ErrnoError("write", path);
  }
  return {};
}

}  // namespace

Result<LocalKey> EnsureKeyFile(const std::string& path, std::string_view prefix) {
  LocalKey local;
  local.path = path;
  HOTPLEX_TRY(auto existing, OpenDaemonFile(path, DaemonFileKind::kSecret, O_RDWR));
  UniqueFd fd;
  if (existing) {
    HOTPLEX_TRY(local.key, ReadFirstLine(existing->Get(), path));
    if (!local.key.empty()) return local;
    fd = std::move(*existing);  // empty: write a new key into the checked file
  } else {
    // O_EXCL|O_NOFOLLOW: a name that appeared meanwhile is not written through.
    fd = UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return ErrnoError("open", "cannot create " + path);
  }
  local.key = GenerateApiKey();
  if (prefix != "hpx_") local.key = std::string(prefix) + local.key.substr(4);
  local.generated = true;
  HOTPLEX_TRY_STATUS(WriteKey(fd.Get(), path, local.key));
  return local;
}

Result<LocalKey> EnsureLocalApiKey(const std::string& state_dir) {
  return EnsureKeyFile((fs::path(state_dir) / "api-key").string(), "hpx_");
}

hotplex::Status CompleteTenants(DaemonConfig& config, const LocalKey* local_key) {
  if (config.tenants.empty()) {
    if (local_key == nullptr) return MakeError("no tenants configured and no local key");
    Tenant local;
    local.id = "local";
    local.team = "default";
    local.key_hashes = {HashApiKey(local_key->key)};
    local.uid = kDefaultTenantUid;
    local.gid = kDefaultTenantUid;
    config.tenants.push_back(std::move(local));
  }
  for (auto& tenant : config.tenants) {
    if (tenant.workspace_root.empty()) {
      tenant.workspace_root = (fs::path(config.state_dir) / "workspaces" / tenant.id).string();
    }
    tenant.workspace_root = fs::absolute(tenant.workspace_root).lexically_normal().string();
  }
  return {};
}

}  // namespace hotplex::supervisor
