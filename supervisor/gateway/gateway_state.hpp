// GatewayState: what every connection of the model gateway shares: the
// config, the dialect, the TLS client context, the token registry, the budget
// ledger and the hooks. Internal to supervisor/gateway/.
// Thread-safety: immutable except the registry and the ledger (both locked);
// the SSL context is only used to create streams, which OpenSSL allows from
// any thread.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "supervisor/gateway/budget_ledger.hpp"
#include "supervisor/gateway/gateway_config.hpp"
#include "supervisor/gateway/model_dialect.hpp"
#include "supervisor/gateway/token_registry.hpp"

namespace hotplex::gateway {

struct GatewayState {
  GatewayConfig config;
  std::unique_ptr<const ModelDialect> dialect;
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_client};
  TokenRegistry tokens;
  BudgetLedger ledger;
  GatewayHooks hooks;
};

}  // namespace hotplex::gateway
