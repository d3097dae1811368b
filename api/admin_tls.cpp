#include "api/admin_tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

namespace hotplex::api {
namespace ssl = boost::asio::ssl;

hotplex::Status CheckAdminListenSecurity(const supervisor::ListenAddress& admin,
                                         const supervisor::AdminTlsSettings& tls) {
  if (tls.cert.empty() != tls.key.empty()) {
    return MakeError("admin TLS needs both a certificate and a key (admin_tls.cert/key)");
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(admin.host, ec);
  if (ec) return MakeError("admin listen address '" + admin.host + "' is not an IP address");
  if (address.is_loopback() || !tls.cert.empty() || tls.insecure) return {};
  return MakeError("the admin API would listen on " + admin.ToString() +
                   " (not loopback) without TLS: set --admin-tls-cert/--admin-tls-key, or "
                   "--admin-insecure to accept plain HTTP");
}

Result<std::shared_ptr<ssl::context>> MakeAdminTlsContext(const supervisor::AdminTlsSettings& tls) {
  if (tls.cert.empty()) return std::shared_ptr<ssl::context>();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  if (!ec) context->use_certificate_chain_file(tls.cert, ec);
  if (ec) return MakeError("admin TLS certificate " + tls.cert + ": " + ec.message());
  context->use_private_key_file(tls.key, ssl::context::pem, ec);
  if (ec) return MakeError("admin TLS key " + tls.key + ": " + ec.message());
  return context;
}

}  // namespace hotplex::api
