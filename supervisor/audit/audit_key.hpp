// AuditKey: the secret that makes the audit trail tamper-evident against
// someone who can rewrite audit.db but cannot read this key. Rows are chained
// with HMAC-SHA-256 under it and witness checkpoints are signed with it
// (supervisor/audit/AUDIT.md). It lives in a file of its own, outside the database
// (default <state_dir>/audit-key): 64 hex digits and a newline, mode 0600,
// owned by the daemon's uid, created at first start from getrandom(2).
// The daemon refuses a key file that is a link, not a regular file, owned by
// another uid or open to group/others (the error names the file and the fix).
// Thread-safety: immutable after loading; Mac() may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex::supervisor {

class AuditKey {
 public:
  // The daemon's key: loaded and checked (owner = euid, no group/other bits);
  // created when absent and `may_create` (else an error naming the file).
  static Result<AuditKey> LoadForDaemon(const std::string& path, bool may_create);
  // A verifier's copy: a regular file (no link) of 64 hex digits; the owner is
  // not checked, an auditor may hold the copy.
  static Result<AuditKey> LoadForVerify(const std::string& path);
  static AuditKey FromBytes(std::string bytes);  // raw key bytes (tests)

  std::string Mac(std::string_view message) const;  // hex HMAC-SHA-256
  // 16 hex digits naming the key without revealing it (stored in audit_meta).
  const std::string& Id() const { return id_; }
  const std::string& Path() const { return path_; }
  bool Created() const { return created_; }

 private:
  std::string bytes_;
  std::string id_;
  std::string path_;
  bool created_ = false;
};

// A daemon-private file (the audit key, the witness): not a link, a regular
// file, owned by the effective uid, no permission bits for group or others.
// `what` names the file in the error ("audit key file"); the error says the fix.
hotplex::Status CheckPrivateFile(int fd, const std::string& path, const char* what);

// Lowercase hex <-> bytes; an empty optional-like result on bad input.
std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view hex);

}  // namespace hotplex::supervisor
