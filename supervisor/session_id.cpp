#include "supervisor/session_id.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace hotplex::supervisor {
namespace {

using Uuid = std::array<std::uint8_t, 16>;

// HotPlex's own namespace UUID (random, fixed forever: changing it changes every id).
constexpr Uuid kNamespace = {0x6b, 0x1e, 0x3f, 0x52, 0x9a, 0x0c, 0x4d, 0x7e,
                             0x8f, 0x21, 0x5c, 0x44, 0x90, 0xd3, 0x1a, 0x77};

std::string Format(const Uuid& u) {
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return out;
}

void SetVersion(Uuid& u, int version) {
  u[6] = static_cast<std::uint8_t>((u[6] & 0x0f) | (version << 4));
  u[8] = static_cast<std::uint8_t>((u[8] & 0x3f) | 0x80);
}

}  // namespace

std::string SessionIdForKey(std::string_view tenant_id, std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  // A failing SHA-1 means a broken libcrypto: an invariant, not an input error.
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, kNamespace.data(), kNamespace.size()) != 1 ||
      EVP_DigestUpdate(ctx, tenant_id.data(), tenant_id.size()) != 1 ||
      EVP_DigestUpdate(ctx, "\n", 1) != 1 || EVP_DigestUpdate(ctx, key.data(), key.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &len) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::logic_error("SHA-1 unavailable in libcrypto");
  }
  EVP_MD_CTX_free(ctx);
  Uuid u;
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = digest[i];
  SetVersion(u, 5);
  return Format(u);
}

std::string RandomSessionId() {
  Uuid u;
  if (RAND_bytes(u.data(), static_cast<int>(u.size())) != 1) {
    throw std::logic_error("OpenSSL CSPRNG failed");
  }
  SetVersion(u, 4);
  return Format(u);
}

bool LooksLikeSessionId(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace hotplex::supervisor
