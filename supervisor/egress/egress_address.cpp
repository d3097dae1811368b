#include "supervisor/egress/egress_address.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <memory>

namespace hotplex::supervisor {
namespace ip = boost::asio::ip;
namespace {

std::string Ipv4Kind(const ip::address_v4& a) {
  const auto bytes = a.to_bytes();
  if (bytes[0] == 127) return "loopback";
  if (bytes[0] == 0) return "unspecified";
  if (bytes[0] == 169 && bytes[1] == 254) return "link-local";
  return "";
}

std::string Ipv6Kind(const ip::address_v6& a) {
  if (a.is_v4_mapped()) return Ipv4Kind(ip::make_address_v4(ip::v4_mapped, a));
  if (a.is_loopback()) return "loopback";
  if (a.is_unspecified()) return "unspecified";
  if (a.is_link_local()) return "link-local";
  return "";
}

}  // namespace

std::string InternalAddressKind(const ip::address& address,
                                const std::vector<ip::address>& host_addresses) {
  std::string kind = address.is_v4() ? Ipv4Kind(address.to_v4()) : Ipv6Kind(address.to_v6());
  if (kind.empty() &&
      std::find(host_addresses.begin(), host_addresses.end(), address) != host_addresses.end()) {
    kind = "an address of this host";
  }
  return kind;
}

std::vector<ip::address> HostAddresses() {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return {};
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
  std::vector<ip::address> out;
  for (const ifaddrs* it = raw; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) continue;
    if (it->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      out.push_back(ip::address_v4(ntohl(sin->sin_addr.s_addr)));
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      ip::address_v6::bytes_type bytes;
      std::copy(std::begin(sin6->sin6_addr.s6_addr), std::end(sin6->sin6_addr.s6_addr),
                bytes.begin());
      out.push_back(ip::address_v6(bytes));
    }
  }
  return out;
}

NameRuleEndpoints FilterForNameRule(const std::vector<ip::tcp::endpoint>& resolved,
                                    const std::vector<ip::address>& host_addresses) {
  NameRuleEndpoints out;
  for (const ip::tcp::endpoint& endpoint : resolved) {
    const std::string kind = InternalAddressKind(endpoint.address(), host_addresses);
    if (kind.empty()) {
      out.allowed.push_back(endpoint);
    } else if (out.refused.empty()) {
      out.refused = endpoint.address().to_string() + " (" + kind + ")";
    }
  }
  return out;
}

}  // namespace hotplex::supervisor
