#include "supervisor/gateway/model_gateway.hpp"

#include <boost/asio/post.hpp>

#include "sandbox/netns_listener.hpp"
#include "supervisor/gateway/gateway_connection.hpp"
#include "supervisor/gateway/gateway_state.hpp"

namespace hotplex::gateway {
namespace asio = boost::asio;
using Tcp = asio::ip::tcp;

namespace {

// Peer verification against the system CA store (plus ca_file when set);
// SNI and the host name check are per connection (upstream_call.cpp).
Status SetUpTls(asio::ssl::context& tls, const GatewayConfig& config) {
  boost::system::error_code ec;
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  tls.set_verify_mode(asio::ssl::verify_peer, ec);
  if (!ec) tls.set_default_verify_paths(ec);
  if (ec)
    return MakeError("model gateway: the system CA store could not be loaded: " + ec.message());
  if (!config.ca_file.empty()) {
    tls.load_verify_file(config.ca_file, ec);
    if (ec) {
      return MakeError("model_gateway.ca_file '" + config.ca_file + "': " + ec.message() +
                       " (a PEM file of CA certificates)");
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<ModelGateway>> ModelGateway::Create(
    asio::io_context& io, GatewayConfig config, std::unique_ptr<const ModelDialect> dialect,
    GatewayHooks hooks) {
  auto state = std::make_shared<GatewayState>();
  HOTPLEX_TRY_STATUS(SetUpTls(state->tls, config));
  state->config = std::move(config);
  state->dialect = std::move(dialect);
  state->hooks = std::move(hooks);
  return std::make_shared<ModelGateway>(io, std::move(state));
}

ModelGateway::ModelGateway(asio::io_context& io, std::shared_ptr<GatewayState> state)
    : io_(io), state_(std::move(state)) {}

Result<std::shared_ptr<SessionEndpoint>> ModelGateway::Open(SessionGrant grant) {
  HOTPLEX_TRY(std::string token, state_->tokens.Issue(grant.session_id, grant.tenant));
  return std::make_shared<SessionEndpoint>(io_, state_, std::move(grant), std::move(token));
}

const GatewayConfig& ModelGateway::Config() const { return state_->config; }

Spent ModelGateway::SpentBy(const std::string& tenant) const {
  return state_->ledger.SpentBy(tenant, BudgetLedger::Clock::now());
}

SessionEndpoint::SessionEndpoint(asio::io_context& io, std::shared_ptr<GatewayState> state,
                                 SessionGrant grant, std::string token)
    : strand_(asio::make_strand(io)),
      state_(std::move(state)),
      grant_(std::move(grant)),
      token_(std::move(token)),
      acceptor_(strand_) {}

SessionEndpoint::~SessionEndpoint() { state_->tokens.Revoke(grant_.session_id, token_); }

std::string SessionEndpoint::BaseUrl() const {
  return "http://127.0.0.1:" + std::to_string(state_->config.port);
}

bool SessionEndpoint::HoldsCredential(std::string_view text) const {
  const std::string& credential = state_->config.credential;
  return !credential.empty() && text.find(credential) != std::string_view::npos;
}

Status SessionEndpoint::Install(pid_t pid) {
  HOTPLEX_TRY(UniqueFd fd,
              sandbox::ListenInNetworkNamespace(pid, "127.0.0.1", state_->config.port));
  return Listen(std::move(fd));
}

Status SessionEndpoint::Listen(UniqueFd listening_socket) {
  boost::system::error_code ec;
  acceptor_.assign(Tcp::v4(), listening_socket.Get(), ec);
  if (ec) return MakeError("model gateway listener: " + ec.message());
  listening_socket.Release();
  asio::post(strand_, [self = shared_from_this()] {
    if (!self->closed_) self->Accept();
  });
  return {};
}

void SessionEndpoint::Accept() {
  acceptor_.async_accept(
      strand_, [self = shared_from_this()](boost::system::error_code ec, Tcp::socket socket) {
        if (self->closed_ || ec == asio::error::operation_aborted) return;
        if (!ec) self->OnAccepted(std::move(socket));
        self->Accept();
      });
}

void SessionEndpoint::OnAccepted(Tcp::socket socket) {
  if (connections_.size() >= state_->config.max_connections_per_session) {
    return;  // the socket closes here: the agent sees a reset and retries later
  }
  std::weak_ptr<SessionEndpoint> weak = weak_from_this();
  auto connection = std::make_shared<GatewayConnection>(
      strand_, std::move(socket), state_, grant_, [weak](GatewayConnection* done) {
        auto self = weak.lock();
        if (self && self->connections_.erase(done) != 0) --self->open_connections_;
      });
  connections_.emplace(connection.get(), connection);
  ++open_connections_;
  connection->Start();
}

void SessionEndpoint::Close() {
  state_->tokens.Revoke(grant_.session_id, token_);
  asio::post(strand_, [self = shared_from_this()] { self->CloseOnStrand(); });
}

void SessionEndpoint::CloseOnStrand() {
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);  // its pending accept ends with operation_aborted
  auto connections = std::move(connections_);
  connections_.clear();
  open_connections_ = 0;
  for (auto& [raw, connection] : connections) connection->Close();
}

}  // namespace hotplex::gateway
