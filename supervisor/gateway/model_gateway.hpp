// ModelGateway: keeps real model credentials out of sandboxes. The daemon
// holds the credential; each session gets a SessionEndpoint: a per-session
// token (TokenRegistry) and an HTTP listener on 127.0.0.1:<port> inside the
// sandbox's own network namespace, which the agent reaches as
// ANTHROPIC_BASE_URL with the token as its API key. A request on that
// listener must carry that session's token (x-api-key or Authorization:
// Bearer); the dialect decides what may pass (paths, model allow-list, max
// output tokens), the budget ledger whether the tenant may spend more; then
// the real credential replaces the token and the call is relayed to the
// upstream, the response streamed back as its bytes arrive while a usage
// parser meters it (supervisor/gateway/GATEWAY.md).
// Thread-safety: Open() from any thread. A SessionEndpoint's Install/Listen
// and Close from any thread; its connections run on its own strand.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "supervisor/gateway/gateway_config.hpp"

namespace hotplex::gateway {

struct GatewayState;
class GatewayConnection;
class SessionEndpoint;

class ModelGateway {
 public:
  // Fails when the TLS context cannot be set up (system CA store, ca_file).
  static Result<std::shared_ptr<ModelGateway>> Create(boost::asio::io_context& io,
                                                      GatewayConfig config,
                                                      std::unique_ptr<const ModelDialect> dialect,
                                                      GatewayHooks hooks);
  ModelGateway(boost::asio::io_context& io, std::shared_ptr<GatewayState> state);

  // Issues the session's token; the endpoint serves once Install()ed.
  Result<std::shared_ptr<SessionEndpoint>> Open(SessionGrant grant);
  const GatewayConfig& Config() const;
  Spent SpentBy(const std::string& tenant) const;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<GatewayState> state_;
};

class SessionEndpoint : public std::enable_shared_from_this<SessionEndpoint> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  SessionEndpoint(boost::asio::io_context& io, std::shared_ptr<GatewayState> state,
                  SessionGrant grant, std::string token);
  ~SessionEndpoint();

  // What the sandbox's environment gets (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL).
  const std::string& Token() const { return token_; }
  std::string BaseUrl() const;
  // Whether `text` contains the real credential (to keep it out of the sandbox).
  bool HoldsCredential(std::string_view text) const;
  // Listens on 127.0.0.1:<config port> inside the network namespace of `pid`.
  Status Install(pid_t pid);
  // Serves on a listening socket the caller made (tests: the host's loopback).
  Status Listen(UniqueFd listening_socket);
  // Revokes the token, closes the listener and every open connection.
  void Close();
  std::size_t OpenConnections() const { return open_connections_.load(); }

 private:
  void Accept();
  void OnAccepted(boost::asio::ip::tcp::socket socket);
  void CloseOnStrand();

  Strand strand_;
  std::shared_ptr<GatewayState> state_;
  SessionGrant grant_;
  std::string token_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::map<GatewayConnection*, std::shared_ptr<GatewayConnection>> connections_;
  std::atomic<std::size_t> open_connections_{0};
  bool closed_ = false;
};

}  // namespace hotplex::gateway
