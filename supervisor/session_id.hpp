// Session ids: UUIDv5 of (tenant, client key) when the client gives a key, so a
// client that reconnects after anything finds its session again; UUIDv4
// otherwise. Ids are lowercase canonical UUID strings, which Claude Code also
// accepts as its --session-id. Thread-safety: free functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hotplex::supervisor {

// RFC 4122 name-based (SHA-1) UUID in HotPlex's namespace; the name is
// "<tenant>\n<key>" so that no (tenant, key) pair collides with another.
std::string SessionIdForKey(std::string_view tenant_id, std::string_view key);
// RFC 4122 random UUID from the OpenSSL CSPRNG.
std::string RandomSessionId();
// True for a canonical lowercase UUID string (used to reject junk ids early).
bool LooksLikeSessionId(std::string_view text);

}  // namespace hotplex::supervisor
