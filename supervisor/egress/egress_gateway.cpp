#include "supervisor/egress/egress_gateway.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "sandbox/netns_listener.hpp"
#include "supervisor/egress/egress_tunnel.hpp"

namespace hotplex::supervisor {
namespace asio = boost::asio;
using Tcp = asio::ip::tcp;
namespace {

std::atomic<std::size_t> g_live_sockets{0};

}  // namespace

std::shared_ptr<EgressGateway> EgressGateway::Create(asio::io_context& io, EgressConfig config) {
  return std::make_shared<EgressGateway>(io, std::move(config));
}

EgressGateway::EgressGateway(asio::io_context& io, EgressConfig config)
    : strand_(asio::make_strand(io)),
      config_(std::make_shared<const EgressConfig>(std::move(config))) {}

EgressGateway::~EgressGateway() {
  // Pending accepts hold the gateway: it ends only after CloseOnStrand() ran,
  // or when it never started accepting (Install failed). Count what closes here.
  for (auto& listener : listeners_) {
    if (listener->acceptor.is_open()) --g_live_sockets;
  }
}

std::size_t EgressGateway::LiveSockets() { return g_live_sockets.load(); }

Status EgressGateway::Install(pid_t pid) {
  auto add = [&](std::uint16_t port, const policies::HostPort* forward) -> Status {
    HOTPLEX_TRY(UniqueFd fd, sandbox::ListenInNetworkNamespace(pid, "127.0.0.1", port));
    auto listener = std::make_unique<Listener>(Listener{Tcp::acceptor(strand_), forward});
    boost::system::error_code ec;
    listener->acceptor.assign(Tcp::v4(), fd.Get(), ec);
    if (ec)
      return MakeError("egress listener on port " + std::to_string(port) + ": " + ec.message());
    fd.Release();
    ++g_live_sockets;
    listeners_.push_back(std::move(listener));
    return {};
  };
  HOTPLEX_TRY_STATUS(add(config_->proxy_port, nullptr));
  for (const auto& forward : config_->forwards) {
    HOTPLEX_TRY_STATUS(add(forward.port, &forward));
  }
  asio::post(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    for (auto& listener : self->listeners_) self->Accept(*listener);
  });
  return {};
}

void EgressGateway::Accept(Listener& listener) {
  listener.acceptor.async_accept(strand_, [self = shared_from_this(), &listener](
                                              boost::system::error_code ec, Tcp::socket socket) {
    if (self->closed_ || ec == asio::error::operation_aborted) return;
    if (!ec) self->OnAccepted(listener, std::move(socket));
    self->Accept(listener);
  });
}

void EgressGateway::OnAccepted(Listener& listener, Tcp::socket socket) {
  if (tunnels_.size() >= config_->limits.max_connections) {
    return;  // the socket closes here: the sandbox sees a reset connection
  }
  std::weak_ptr<EgressGateway> weak = weak_from_this();
  auto tunnel = std::make_shared<EgressTunnel>(strand_, std::move(socket), config_,
                                               [weak](EgressTunnel* done) {
                                                 auto self = weak.lock();
                                                 if (!self || self->tunnels_.erase(done) == 0)
                                                   return;
                                                 --self->open_tunnels_;
                                                 --g_live_sockets;
                                               });
  tunnels_.emplace(tunnel.get(), tunnel);
  ++open_tunnels_;
  ++g_live_sockets;
  if (listener.forward != nullptr) {
    tunnel->StartForward(*listener.forward);
  } else {
    tunnel->StartProxy();
  }
}

void EgressGateway::Close() {
  asio::post(strand_, [self = shared_from_this()] { self->CloseOnStrand(); });
}

void EgressGateway::CloseOnStrand() {
  closed_ = true;
  for (auto& listener : listeners_) {
    boost::system::error_code ignored;
    if (listener->acceptor.is_open()) --g_live_sockets;
    listener->acceptor.close(ignored);  // its pending accept ends with operation_aborted
  }
  auto tunnels = std::move(tunnels_);
  tunnels_.clear();
  for (auto& [raw, tunnel] : tunnels) {
    --open_tunnels_;
    --g_live_sockets;
    tunnel->Close();
  }
}

}  // namespace hotplex::supervisor
