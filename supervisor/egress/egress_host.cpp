#include "supervisor/egress/egress_host.hpp"

#include <optional>

namespace hotplex::supervisor {
namespace {

std::string Bracketed(const policies::CanonicalHost& host) {
  return host.kind == policies::HostKind::kIpv6 ? "[" + host.name + "]" : host.name;
}

// Splits "host:port" / "[v6]:port" / "host" at the port's colon; false when a
// bracket is unbalanced or text follows "]" without a colon.
bool SplitHostPort(std::string_view authority, std::string_view& host, std::string_view& port,
                   bool& has_port) {
  std::size_t host_end = authority.size();
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host_end = close + 1;
    if (host_end < authority.size() && authority[host_end] != ':') return false;
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host_end = colon;
  }
  host = authority.substr(0, host_end);
  has_port = host_end < authority.size();
  port = has_port ? authority.substr(host_end + 1) : std::string_view();
  return true;
}

}  // namespace

std::string EgressTarget::Authority() const { return Bracketed(host) + ":" + std::to_string(port); }

std::string EgressTarget::HostHeader(std::uint16_t default_port) const {
  return port == default_port ? Bracketed(host) : Authority();
}

Result<std::uint16_t> ParseEgressPort(std::string_view text) {
  const auto port = text.size() <= 5 ? policies::ParsePort(text) : std::nullopt;
  if (!port) {
    return MakeError("port '" + policies::EscapeHostForLog(text) +
                     "' is not a decimal number from 1 to 65535");
  }
  return *port;
}

Result<EgressTarget> ParseEgressAuthority(std::string_view authority, std::uint16_t default_port) {
  std::string_view host_text, port_text;
  bool has_port = false;
  if (!SplitHostPort(authority, host_text, port_text, has_port)) {
    return MakeError("authority '" + policies::EscapeHostForLog(authority) +
                     "' has an unbalanced '[' (write an IPv6 address as [addr]:port)");
  }
  if (host_text.empty()) return MakeError("the authority names no host");
  EgressTarget target;
  HOTPLEX_TRY(target.host, policies::CanonicalizeHost(host_text));
  // An IPv6 address must be bracketed, or its last group would read as a port.
  if (target.host.kind == policies::HostKind::kIpv6 && host_text.front() != '[') {
    return MakeError("write the IPv6 address '" + policies::EscapeHostForLog(authority) +
                     "' in brackets: [addr]:port");
  }
  if (!has_port) {
    if (default_port == 0) return MakeError("the authority needs an explicit port: host:port");
    target.port = default_port;
    return target;
  }
  HOTPLEX_TRY(target.port, ParseEgressPort(port_text));
  return target;
}

}  // namespace hotplex::supervisor
