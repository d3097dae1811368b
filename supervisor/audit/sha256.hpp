// Sha256Hex: lowercase hex SHA-256 (OpenSSL), for API key digests and the
// audit hash chain. Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace hotplex::supervisor {

std::string Sha256Hex(std::string_view bytes);

}  // namespace hotplex::supervisor
