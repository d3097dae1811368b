// EgressTunnel: one connection a sandbox opened to its egress gateway, and the
// upstream connection the supervisor makes for it from the host's network.
//
// Proxy mode: read the request head (at most kMaxProxyHeadBytes), parse it
// strictly into one canonical target (egress_request.hpp), decide that target
// against the policy's rules, answer 400/403 with an explanation, or resolve
// the SAME canonical name + connect (connect timeout, then 504; failure 502)
// to the addresses a name rule may reach (egress_address.hpp; none left: 403),
// answer CONNECT with 200 or send the rewritten plain-HTTP head, then splice
// bytes both ways. A plain-HTTP request forwards only its Content-Length body:
// later bytes on that connection (a pipelined request) are read and dropped.
// Every proxy request, refused or not, yields one EgressDecision.
// Forward mode: connect to the fixed target and splice. Either way the tunnel
// ends when both directions reached EOF, on an error, after the idle timeout,
// or when its gateway closes it.
// Thread-safety: everything runs on the gateway's strand.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/egress/egress_config.hpp"
#include "supervisor/egress/egress_host.hpp"

namespace hotplex::supervisor {

// The gateway's strand: its acceptors and every tunnel run on it.
using EgressStrand = boost::asio::strand<boost::asio::io_context::executor_type>;

class EgressTunnel : public std::enable_shared_from_this<EgressTunnel> {
 public:
  using Tcp = boost::asio::ip::tcp;
  EgressTunnel(EgressStrand strand, Tcp::socket client, std::shared_ptr<const EgressConfig> config,
               std::function<void(EgressTunnel*)> on_done);

  void StartProxy();
  void StartForward(const policies::HostPort& target);
  // Closes both sockets; on_done runs once. Idempotent.
  void Close();

 private:
  void ReadHead();
  void OnHead(std::size_t head_end);
  void Refuse(int status, std::string_view reason, std::string body);
  void Decide(const std::string& host, std::uint16_t port, bool allowed, std::string reason,
              const char* via);
  void Connect(const EgressTarget& target, std::string to_client, std::string to_upstream);
  // Name rules: drops internal addresses (egress_address.hpp), refuses when none is left.
  void OnResolved(boost::system::error_code ec, const Tcp::resolver::results_type& results,
                  std::function<void(boost::system::error_code)> on_connect);
  void OnConnected(std::string to_client, std::string to_upstream);
  void WriteThenSplice(Tcp::socket& to, std::string bytes, std::function<void()> next);
  void Splice();
  // Copies from -> to; `budget` (null: unlimited) is how many more bytes may
  // pass: the rest is read and dropped.
  void PumpOnce(Tcp::socket& from, Tcp::socket& to, std::array<char, 16384>& buf, bool& done,
                std::uint64_t* budget);
  void Touch();

  EgressStrand strand_;
  Tcp::socket client_;
  Tcp::socket upstream_;
  Tcp::resolver resolver_;
  boost::asio::steady_timer timer_;  // connect timeout, then idle timeout
  std::shared_ptr<const EgressConfig> config_;
  std::function<void(EgressTunnel*)> on_done_;
  std::string head_;
  std::string target_;            // canonical "host:port", for messages
  policies::CanonicalHost host_;  // the decided host (proxy) or the forward's target
  std::uint16_t port_ = 0;
  bool proxy_ = false;                      // decisions after resolution, name rules guarded
  std::string allow_reason_;                // proxy: the rule that allowed the target
  std::optional<std::uint64_t> body_left_;  // plain HTTP: request body bytes still to forward
  std::array<char, 16384> up_buf_{};
  std::array<char, 16384> down_buf_{};
  bool up_done_ = false;
  bool down_done_ = false;
  bool closed_ = false;
};

}  // namespace hotplex::supervisor
