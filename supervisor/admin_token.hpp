// AdminToken: the credential of the admin API (port 9080) and the management
// CLI. Generated on first start into <state_dir>/admin-token (mode 0600,
// "hpa_" + 256 random bits), never a tenant key. Only its SHA-256 is kept for
// verification (constant-time); its id — the first 12 hex digits of that
// digest — names the operator in audit records without revealing the token.
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex::supervisor {

inline constexpr std::string_view kAdminTokenPrefix = "hpa_";

class AdminToken {
 public:
  // Reads <state_dir>/admin-token or creates it. The state dir must exist.
  static Result<AdminToken> Ensure(const std::string& state_dir);
  static AdminToken FromToken(std::string_view token);

  // Whether `presented` is the admin token (constant-time).
  bool Matches(std::string_view presented) const;
  // Short, non-secret name of the token for audit records.
  const std::string& Id() const { return id_; }
  const std::string& Path() const { return path_; }
  // Set only on the start that created the file (print it then), else empty.
  const std::string& Generated() const { return generated_; }

 private:
  std::string digest_;
  std::string id_;
  std::string path_;
  std::string generated_;
};

}  // namespace hotplex::supervisor
