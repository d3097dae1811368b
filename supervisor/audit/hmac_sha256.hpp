// HMAC-SHA-256 (RFC 2104) over OpenSSL's libcrypto, for the keyed audit chain
// and the signed witness checkpoints. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hotplex::supervisor {

// Lowercase hex HMAC-SHA-256 of `message` under `key` (raw key bytes).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// Equality of two MACs in time independent of where they differ.
bool MacEqual(std::string_view a, std::string_view b);

}  // namespace hotplex::supervisor
