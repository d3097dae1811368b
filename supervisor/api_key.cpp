#include "supervisor/api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "supervisor/audit/sha256.hpp"

namespace hotplex::supervisor {

std::string GenerateApiKey() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 43> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::logic_error("OpenSSL CSPRNG failed");
  }
  std::string key = "hpx_";
  for (unsigned char b : bytes) key += kAlphabet[b & 63];
  return key;
}

std::string HashApiKey(std::string_view key) { return Sha256Hex(key); }

bool DigestsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hotplex::supervisor
