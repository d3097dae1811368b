// EgressGateway: a session's network way out in network mode `egress`.
//
// Install(pid) creates listening sockets inside the sandbox's network
// namespace (sandbox::ListenInNetworkNamespace; no veth, no iptables): the
// HTTP/HTTPS proxy on 127.0.0.1:<proxy_port> and one listener per forward on
// 127.0.0.1:<forward port>. The supervisor accepts on them from the host's
// namespace; each connection becomes an EgressTunnel. It is meant to run from
// SandboxSpec::network_ready, so the listeners exist before the payload starts.
// Close() closes the listeners and every open tunnel (the sockets would
// otherwise keep the sandbox's network namespace alive); the session calls it
// when its sandbox ends.
// Thread-safety: Install() once, from any thread; Close() from any thread;
// accepting and every tunnel run on the gateway's own strand.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/result.hpp"
#include "supervisor/egress/egress_config.hpp"
#include "supervisor/egress/egress_tunnel.hpp"

namespace hotplex::supervisor {

class EgressGateway : public std::enable_shared_from_this<EgressGateway> {
 public:
  static std::shared_ptr<EgressGateway> Create(boost::asio::io_context& io, EgressConfig config);
  EgressGateway(boost::asio::io_context& io, EgressConfig config);
  ~EgressGateway();

  // Listens inside the network namespace of `pid` and starts accepting.
  Status Install(pid_t pid);
  void Close();

  // Open tunnels of this gateway (read from any thread).
  std::size_t OpenTunnels() const { return open_tunnels_.load(); }
  // Listening sockets and tunnels of every gateway in this process, for leak checks.
  static std::size_t LiveSockets();

 private:
  struct Listener {
    boost::asio::ip::tcp::acceptor acceptor;
    const policies::HostPort* forward;  // null: the proxy
  };

  void Accept(Listener& listener);
  void OnAccepted(Listener& listener, boost::asio::ip::tcp::socket socket);
  void CloseOnStrand();

  EgressStrand strand_;
  std::shared_ptr<const EgressConfig> config_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::map<EgressTunnel*, std::shared_ptr<EgressTunnel>> tunnels_;
  std::atomic<std::size_t> open_tunnels_{0};
  bool closed_ = false;
};

}  // namespace hotplex::supervisor
