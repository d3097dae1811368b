// TokenRegistry: the per-session gateway tokens. A sandbox presents its token
// to the model gateway instead of a real model credential; the token is 256
// random bits, bound to one session and tenant, and worthless anywhere else
// (the gateway only accepts it on that session's own listener, and it is
// revoked when the session's sandbox ends).
// Thread-safety: every method is thread-safe (one mutex; the compare itself is
// constant-time so a wrong token's timing says nothing about the right one).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hotplex::gateway {

struct TokenGrant {
  std::string session_id;
  std::string tenant;
};

class TokenRegistry {
 public:
  // "hpx-gw-" followed by 64 hex digits (32 bytes from the OpenSSL DRBG).
  static constexpr std::string_view kPrefix = "hpx-gw-";

  // A fresh token for `session_id`; replaces any earlier one of that session.
  Result<std::string> Issue(const std::string& session_id, const std::string& tenant);
  // The grant when `presented` is exactly the token of `session_id`.
  std::optional<TokenGrant> Verify(const std::string& session_id, std::string_view presented) const;
  // Revokes the session's token; with `token` set, only if it is still that one
  // (a later Issue() for the same session is left alone).
  void Revoke(const std::string& session_id, std::string_view token = {});
  std::size_t Size() const;

 private:
  struct Entry {
    std::string token;
    TokenGrant grant;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace hotplex::gateway
