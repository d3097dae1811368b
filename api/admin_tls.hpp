// AdminTls: the admin listener's TLS settings turned into an OpenSSL context
// (TLS 1.2+, PEM certificate chain and key), and the rule that a non-loopback
// admin address needs TLS or an explicit `admin_insecure`.
// Thread-safety: free functions; the context is shared read-only by connections.
#pragma once

#include <memory>

#include "common/result.hpp"
#include "supervisor/daemon_config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace hotplex::api {

// Refuses a non-loopback admin address without TLS (unless insecure), and
// half a TLS setting (a cert without a key or the reverse).
hotplex::Status CheckAdminListenSecurity(const supervisor::ListenAddress& admin,
                                         const supervisor::AdminTlsSettings& tls);
// nullptr when no cert/key are set.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeAdminTlsContext(
    const supervisor::AdminTlsSettings& tls);

}  // namespace hotplex::api
