#include "supervisor/local_tenant.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/unique_fd.hpp"
#include "supervisor/api_key.hpp"

namespace hotplex::supervisor {
namespace fs = std::filesystem;

hotplex::Status PrepareStateDir(const std::string& state_dir) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) return MakeError("cannot create state dir " + state_dir + ": " + ec.message());
  // 0711: tenants' sandboxes (their own host uids) must traverse it to reach
  // their workspace and home, which the sandbox bind-mounts as that uid; they
  // cannot list it, and the key file and the database are not theirs to read.
  fs::permissions(state_dir,
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::replace, ec);
  if (ec) return MakeError("cannot chmod state dir " + state_dir + ": " + ec.message());
  return {};
}

Result<LocalKey> EnsureKeyFile(const std::string& path, std::string_view prefix) {
  LocalKey local;
  local.path = path;
  std::ifstream in(local.path);
  if (in) {
    std::getline(in, local.key);
    if (!local.key.empty()) return local;
  }
  local.key = GenerateApiKey();
  if (prefix != "hpx_") local.key = std::string(prefix) + local.key.substr(4);
  local.generated = true;
  // 0600 from creation (and again with fchmod, whatever the umask): the key is
  // never readable by others, not even briefly.
  UniqueFd fd(::open(local.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError("open", "cannot write " + local.path);
  if (::fchmod(fd.Get(), 0600) != 0) return ErrnoError("fchmod", local.path);
  const std::string line = local.key + "\n";
  if (::write(fd.Get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return ErrnoError("write", local.path);
  }
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
