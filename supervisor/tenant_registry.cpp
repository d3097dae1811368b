#include "supervisor/tenant_registry.hpp"

#include "supervisor/api_key.hpp"

namespace hotplex::supervisor {

const Tenant* TenantRegistry::Authenticate(std::string_view key) const {
  if (key.empty()) return nullptr;
  const std::string digest = HashApiKey(key);
  const Tenant* found = nullptr;
  for (const auto& tenant : tenants_) {
    for (const auto& stored : tenant.key_hashes) {
      if (DigestsEqual(digest, stored) && found == nullptr) found = &tenant;
    }
  }
  return found;
}

const Tenant* TenantRegistry::Find(std::string_view id) const {
  for (const auto& tenant : tenants_) {
    if (tenant.id == id) return &tenant;
  }
  return nullptr;
}

}  // namespace hotplex::supervisor
