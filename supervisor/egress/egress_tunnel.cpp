#include "supervisor/egress/egress_tunnel.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "supervisor/egress/egress_address.hpp"
#include "supervisor/egress/egress_request.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {
namespace asio = boost::asio;
using boost::system::error_code;

EgressTunnel::EgressTunnel(EgressStrand strand, Tcp::socket client,
                           std::shared_ptr<const EgressConfig> config,
                           std::function<void(EgressTunnel*)> on_done)
    : strand_(strand),
      client_(std::move(client)),
      upstream_(strand),
      resolver_(strand),
      timer_(strand),
      config_(std::move(config)),
      on_done_(std::move(on_done)) {}

void EgressTunnel::Close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  client_.close(ignored);
  upstream_.close(ignored);
  resolver_.cancel();
  timer_.cancel();
  if (on_done_) std::exchange(on_done_, nullptr)(this);
}

void EgressTunnel::Touch() {
  timer_.expires_after(config_->limits.idle_timeout);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->Close();  // idle (or stuck reading the head) for too long
  });
}

void EgressTunnel::StartProxy() {
  proxy_ = true;
  head_.reserve(1024);
  Touch();
  ReadHead();
}

void EgressTunnel::ReadHead() {
  client_.async_read_some(
      asio::buffer(up_buf_), [self = shared_from_this()](error_code ec, std::size_t n) {
        if (ec || self->closed_) return self->Close();
        const std::size_t scan_from = self->head_.size() >= 3 ? self->head_.size() - 3 : 0;
        self->head_.append(self->up_buf_.data(), n);
        const std::size_t end = FindHeadEnd(std::string_view(self->head_).substr(scan_from));
        if (end != 0) return self->OnHead(scan_from + end);
        if (self->head_.size() > kMaxProxyHeadBytes) {
          const std::string why = "hotplex egress: request head larger than " +
                                  std::to_string(kMaxProxyHeadBytes) + " bytes";
          self->Decide("", 0, false, why, "proxy");
          return self->Refuse(431, "Request Header Fields Too Large", why);
        }
        self->ReadHead();
      });
}

void EgressTunnel::OnHead(std::size_t head_end) {
  std::string rest = head_.substr(head_end);  // bytes the client sent after its head
  auto parsed = ParseProxyRequest(std::string_view(head_).substr(0, head_end));
  head_.clear();
  if (auto* error = std::get_if<ProxyError>(&parsed)) {
    Decide(error->host, 0, false, error->body, "proxy");  // the host escaped, never raw bytes
    return Refuse(error->status, error->reason, error->body);
  }
  auto& req = std::get<ProxyRequest>(parsed);
  target_ = req.target.Authority();
  const std::string& host = req.target.host.name;
  const policies::HostVerdict verdict = config_->rules.Decide(host, req.target.port);
  if (!verdict.allowed) {
    const std::string why =
        verdict.matched.empty()
            ? target_ + " is not in the policy's network.allow_domains"
            : target_ + " matches '" + verdict.matched + "' in the policy's network.deny_domains";
    Decide(host, req.target.port, false, why, "proxy");
    return Refuse(403, "Forbidden", "hotplex egress: " + why);
  }
  allow_reason_ = "network.allow_domains: " + verdict.matched;
  std::string to_client = req.connect ? "HTTP/1.1 200 Connection Established\r\n\r\n" : "";
  if (!req.connect) {
    // One request per connection: only this request's body follows its head;
    // whatever comes after it (a pipelined request) is dropped, never forwarded.
    const auto kept =
        static_cast<std::size_t>(std::min<std::uint64_t>(rest.size(), req.body_bytes));
    if (rest.size() > kept) Metrics::Global().EgressDiscarded(rest.size() - kept);
    rest.resize(kept);
    body_left_ = req.body_bytes - rest.size();
    rest.insert(0, req.upstream_head);
  }
  Connect(req.target, std::move(to_client), std::move(rest));
}

void EgressTunnel::Decide(const std::string& host, std::uint16_t port, bool allowed,
                          std::string reason, const char* via) {
  if (config_->on_decision) {
    config_->on_decision(EgressDecision{via, host, port, allowed, std::move(reason)});
  }
}

void EgressTunnel::Refuse(int status, std::string_view reason, std::string body) {
  auto response = std::make_shared<std::string>(ProxyResponse(status, reason, body));
  timer_.cancel();
  asio::async_write(client_, asio::buffer(*response),
                    [self = shared_from_this(), response](error_code, std::size_t) {
                      error_code ignored;
                      self->client_.shutdown(Tcp::socket::shutdown_send, ignored);
                      self->Close();
                    });
}

void EgressTunnel::StartForward(const policies::HostPort& target) {
  target_ = target.host + ":" + std::to_string(target.port);
  Decide(target.host, target.port, true, "network.forwards", "forward");
  // The policy's own target: resolved as written (validated by the policy decoder).
  auto canonical = policies::CanonicalizeHost(target.host);
  EgressTarget fixed{canonical ? *canonical : policies::CanonicalHost{target.host}, target.port};
  Connect(fixed, "", "");
}

void EgressTunnel::Connect(const EgressTarget& target, std::string to_client,
                           std::string to_upstream) {
  host_ = target.host;
  port_ = target.port;
  timer_.expires_after(config_->limits.connect_timeout);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->closed_) return;
    self->resolver_.cancel();
    error_code ignored;
    self->upstream_.close(ignored);  // the pending connect fails with operation_aborted
  });
  auto on_connect = [self = shared_from_this(), to_client = std::move(to_client),
                     to_upstream = std::move(to_upstream)](error_code ec) mutable {
    if (self->closed_) return;
    if (ec) {
      const bool timed_out = ec == asio::error::operation_aborted;
      return self->Refuse(timed_out ? 504 : 502, timed_out ? "Gateway Timeout" : "Bad Gateway",
                          "hotplex egress: cannot connect to " + self->target_ + ": " +
                              (timed_out ? std::string("timed out") : ec.message()));
    }
    self->OnConnected(std::move(to_client), std::move(to_upstream));
  };
  // The canonical name, exactly as decided; an IP literal never goes to DNS.
  const auto flags = host_.kind == policies::HostKind::kName
                         ? Tcp::resolver::numeric_service | Tcp::resolver::address_configured
                         : Tcp::resolver::numeric_service | Tcp::resolver::numeric_host;
  resolver_.async_resolve(host_.name, std::to_string(port_), flags,
                          [self = shared_from_this(), on_connect = std::move(on_connect)](
                              error_code ec, Tcp::resolver::results_type results) mutable {
                            if (self->closed_) return;
                            self->OnResolved(ec, results, std::move(on_connect));
                          });
}

void EgressTunnel::OnResolved(error_code ec, const Tcp::resolver::results_type& results,
                              std::function<void(error_code)> on_connect) {
  auto endpoints = std::make_shared<std::vector<Tcp::endpoint>>();
  for (const auto& entry : results) endpoints->push_back(entry.endpoint());
  if (!ec && proxy_ && host_.kind == policies::HostKind::kName) {
    NameRuleEndpoints split = FilterForNameRule(*endpoints, HostAddresses());
    if (split.allowed.empty() && !split.refused.empty()) {
      const std::string why = target_ + " resolves to " + split.refused +
                              ", which a name in the policy's network.allow_domains does not "
                              "open (list that IP address itself in allow_domains, or use "
                              "network.forwards)";
      Decide(host_.name, port_, false, why, "proxy");
      return Refuse(403, "Forbidden", "hotplex egress: " + why);
    }
    *endpoints = std::move(split.allowed);
  }
  // The policy allowed it (a failed lookup is answered 502/504 after this record).
  if (proxy_) Decide(host_.name, port_, true, allow_reason_, "proxy");
  if (ec) return on_connect(ec);
  asio::async_connect(upstream_, *endpoints,
                      [endpoints, on_connect = std::move(on_connect)](
                          error_code connect_ec, const Tcp::endpoint&) { on_connect(connect_ec); });
}

void EgressTunnel::OnConnected(std::string to_client, std::string to_upstream) {
  Touch();
  WriteThenSplice(client_, std::move(to_client),
                  [self = shared_from_this(), to_upstream = std::move(to_upstream)]() mutable {
                    self->WriteThenSplice(self->upstream_, std::move(to_upstream),
                                          [self] { self->Splice(); });
                  });
}

void EgressTunnel::WriteThenSplice(Tcp::socket& to, std::string bytes, std::function<void()> next) {
  if (bytes.empty()) return next();
  auto data = std::make_shared<std::string>(std::move(bytes));
  asio::async_write(
      to, asio::buffer(*data),
      [self = shared_from_this(), data, next = std::move(next)](error_code ec, std::size_t) {
        if (ec || self->closed_) return self->Close();
        next();
      });
}

void EgressTunnel::Splice() {
  PumpOnce(client_, upstream_, up_buf_, up_done_, body_left_ ? &*body_left_ : nullptr);
  PumpOnce(upstream_, client_, down_buf_, down_done_, nullptr);
}

void EgressTunnel::PumpOnce(Tcp::socket& from, Tcp::socket& to, std::array<char, 16384>& buf,
                            bool& done, std::uint64_t* budget) {
  from.async_read_some(asio::buffer(buf), [self = shared_from_this(), &from, &to, &buf, &done,
                                           budget](error_code ec, std::size_t n) {
    if (self->closed_) return;
    if (ec == asio::error::eof) {
      // Half-close: pass the EOF on and keep the other direction going.
      done = true;
      error_code ignored;
      to.shutdown(Tcp::socket::shutdown_send, ignored);
      if (self->up_done_ && self->down_done_) self->Close();
      return;
    }
    if (ec) return self->Close();
    self->Touch();
    std::size_t pass = n;
    if (budget != nullptr) {
      pass = static_cast<std::size_t>(std::min<std::uint64_t>(n, *budget));
      *budget -= pass;
    }
    if (pass == 0) return self->PumpOnce(from, to, buf, done, budget);  // past the one request
    asio::async_write(to, asio::buffer(buf.data(), pass),
                      [self, &from, &to, &buf, &done, budget](error_code wec, std::size_t) {
                        if (wec || self->closed_) return self->Close();
                        self->PumpOnce(from, to, buf, done, budget);
                      });
  });
}

}  // namespace hotplex::supervisor
