#include "supervisor/gateway/token_registry.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>

namespace hotplex::gateway {
namespace {

constexpr std::size_t kTokenBytes = 32;

std::string Hex(const std::array<unsigned char, kTokenBytes>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace

Result<std::string> TokenRegistry::Issue(const std::string& session_id, const std::string& tenant) {
  std::array<unsigned char, kTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return MakeError("model gateway: RAND_bytes failed to make a session token");
  }
  std::string token = std::string(kPrefix) + Hex(bytes);
  std::lock_guard lock(mu_);
  entries_[session_id] = Entry{token, TokenGrant{session_id, tenant}};
  return token;
}

std::optional<TokenGrant> TokenRegistry::Verify(const std::string& session_id,
                                                std::string_view presented) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(session_id);
  if (it == entries_.end()) return std::nullopt;
  const std::string& token = it->second.token;
  // Every token has the same length, so comparing lengths first leaks nothing.
  if (presented.size() != token.size()) return std::nullopt;
  if (CRYPTO_memcmp(presented.data(), token.data(), token.size()) != 0) return std::nullopt;
  return it->second.grant;
}

void TokenRegistry::Revoke(const std::string& session_id, std::string_view token) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(session_id);
  if (it == entries_.end()) return;
  if (token.empty() || it->second.token == token) entries_.erase(it);
}

std::size_t TokenRegistry::Size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace hotplex::gateway
