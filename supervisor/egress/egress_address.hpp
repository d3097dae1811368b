// Which resolved addresses an egress proxy request may connect to.
//
// The supervisor connects from the host's network namespace, where 127.0.0.1
// is hotplexd's own API and admin listeners and every other local service. So
// a host allowed by a NAME pattern (`*.example.com`, `api.example.com`,
// `localhost`) must not be a way into the host: its resolved addresses that
// are loopback (127.0.0.0/8, ::1), unspecified (0.0.0.0/8, ::), link-local
// (169.254.0.0/16, where cloud metadata lives, and fe80::/10), the IPv4-mapped
// IPv6 forms of those, or one of the host's own interface addresses are
// dropped, and when none is left the request is refused (403). The explicit
// ways to reach such an address are an IP literal the policy lists itself
// (`127.0.0.1:8080` in allow_domains) and `network.forwards`.
// Thread-safety: pure functions; HostAddresses reads the interfaces per call.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <vector>

namespace hotplex::supervisor {

// "loopback", "unspecified", "link-local", "an address of this host", or ""
// when a name rule may reach `address`.
std::string InternalAddressKind(const boost::asio::ip::address& address,
                                const std::vector<boost::asio::ip::address>& host_addresses);

// The addresses of this host's interfaces (getifaddrs); empty when unreadable
// (loopback and link-local are refused by range regardless).
std::vector<boost::asio::ip::address> HostAddresses();

struct NameRuleEndpoints {
  std::vector<boost::asio::ip::tcp::endpoint> allowed;  // in resolver order
  std::string refused;  // the first dropped one, e.g. "127.0.0.1 (loopback)"; "" if none
};

// Splits what a name resolved to into the endpoints a name rule may reach and
// a description of what it may not.
NameRuleEndpoints FilterForNameRule(const std::vector<boost::asio::ip::tcp::endpoint>& resolved,
                                    const std::vector<boost::asio::ip::address>& host_addresses);

}  // namespace hotplex::supervisor
