// EgressTarget: where one egress proxy request asks to go, parsed strictly
// from its authority (`host:port`, `[v6]:port`, or `host` with the scheme's
// default port) into one canonical value (policies::CanonicalizeHost for the
// host, a decimal 1-65535 for the port). The rule match, the audit record,
// the rewritten Host header and the connection all use this value, never the
// request's bytes. Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "policies/host_rules.hpp"

namespace hotplex::supervisor {

struct EgressTarget {
  policies::CanonicalHost host;
  std::uint16_t port = 0;

  // "name:port", "1.2.3.4:port", "[v6]:port": for messages, the audit and CONNECT.
  std::string Authority() const;
  // The Host header value: the authority without the port when it is `default_port`.
  std::string HostHeader(std::uint16_t default_port) const;
};

// `default_port` 0: the port is required (CONNECT). The error names the problem.
Result<EgressTarget> ParseEgressAuthority(std::string_view authority, std::uint16_t default_port);

// 1-5 ASCII digits, 1-65535: no sign, no spaces, no other base.
Result<std::uint16_t> ParseEgressPort(std::string_view text);

}  // namespace hotplex::supervisor
