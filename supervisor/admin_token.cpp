#include "supervisor/admin_token.hpp"

#include <filesystem>

#include "supervisor/api_key.hpp"
#include "supervisor/local_tenant.hpp"

namespace hotplex::supervisor {

AdminToken AdminToken::FromToken(std::string_view token) {
  AdminToken t;
  t.digest_ = HashApiKey(token);
  t.id_ = t.digest_.substr(0, 12);
  return t;
}

Result<AdminToken> AdminToken::Ensure(const std::string& state_dir) {
  const std::string path = (std::filesystem::path(state_dir) / "admin-token").string();
  HOTPLEX_TRY(LocalKey key, EnsureKeyFile(path, kAdminTokenPrefix));
  AdminToken t = FromToken(key.key);
  t.path_ = path;
  if (key.generated) t.generated_ = key.key;
  return t;
}

bool AdminToken::Matches(std::string_view presented) const {
  return !digest_.empty() && DigestsEqual(HashApiKey(presented), digest_);
}

}  // namespace hotplex::supervisor
