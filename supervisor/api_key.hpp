// API keys: generation, hashing for storage (SHA-256, hex) and constant-time
// verification. Keys are never stored in clear in the tenant registry; only
// the local tenant's generated key is written once to a 0600 file so that the
// operator can read it again. Thread-safety: free functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hotplex::supervisor {

// "hpx_" + 43 base64url characters (256 random bits).
std::string GenerateApiKey();
// Lowercase hex SHA-256 of the key.
std::string HashApiKey(std::string_view key);
// Compares two equal-length hex digests without data-dependent timing.
bool DigestsEqual(std::string_view a, std::string_view b);

}  // namespace hotplex::supervisor
