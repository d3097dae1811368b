// TenantRegistry: who may call the API and with which policy, workspace and
// host identity.
//
// API keys are held only as SHA-256 digests; Authenticate() hashes the
// presented key and compares it with every stored digest in constant time (it
// never stops at the first match, so timing reveals neither which tenant nor
// how many keys exist). Thread-safety: immutable after construction.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace hotplex::supervisor {

struct Tenant {
  std::string id;
  std::string team;                     // the team's policy name
  std::vector<std::string> key_hashes;  // lowercase hex SHA-256 of each API key
  std::string workspace_root;           // absolute host path
  uid_t uid = 0;                        // unprivileged host uid/gid of its sandboxes
  gid_t gid = 0;
  std::size_t warm_pool = 0;  // claude-code sessions kept pre-started (0 = off)
};

class TenantRegistry {
 public:
  explicit TenantRegistry(std::vector<Tenant> tenants) : tenants_(std::move(tenants)) {}

  // The tenant owning `key`, or nullptr.
  const Tenant* Authenticate(std::string_view key) const;
  const Tenant* Find(std::string_view id) const;
  const std::vector<Tenant>& All() const { return tenants_; }

 private:
  std::vector<Tenant> tenants_;
};

}  // namespace hotplex::supervisor
