// HostRules: the policy's `sandbox.network.allow_domains` / `deny_domains` as a
// matcher for (host, port) pairs. One implementation for the egress proxy (the
// supervisor) and the WebFetch check (tool governor).
//
// A pattern is `host[:port]`: `example.com` matches exactly that name, on any
// port; `*.example.com` matches its subdomains only (`a.example.com`,
// `a.b.example.com`, not `example.com` itself); `:443` restricts to one port.
// IPv4 literals (`127.0.0.1:8080`) match only the same literal. Names compare
// case-insensitively and ignore one trailing dot. Deny wins over allow; nothing
// is allowed unless a pattern allows it. A host that is not a valid DNS name or
// IP literal (CanonicalizeHost) matches no pattern: the matcher never sees a
// NUL, a control byte, userinfo or percent-encoding.
// Thread-safety: immutable value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hotplex::policies {

struct HostPattern {
  std::string text;  // as written in the policy
  std::string host;  // lower-case, no trailing dot; the suffix for wildcards
  bool subdomains = false;
  std::optional<std::uint16_t> port;
};

enum class HostKind { kName, kIpv4, kIpv6 };

// A host in the one form that rules, audit records and connections all use.
struct CanonicalHost {
  std::string name;  // DNS name: lower-case LDH labels, no trailing dot;
                     // IPv4: dotted quad; IPv6: inet_ntop form, no brackets
  HostKind kind = HostKind::kName;
};

// Strict: a DNS name (LDH labels of 1-63 bytes, at most 253 bytes, one trailing
// dot allowed and dropped, case folded), a dotted-quad IPv4 address, or an IPv6
// address (with or without brackets, no zone). Refused, with a message naming
// the problem: NUL and control bytes, spaces, `@` (userinfo), `%`
// (percent-encoding, zones), non-ASCII (IDNA names must be sent in their
// punycode `xn--` form), empty or oversized labels, and names whose last label
// is numeric but which are not a dotted quad (`2130706433`, `127.1`,
// `127.0.0.0x1`: the C resolver would read them as IPv4 addresses).
Result<CanonicalHost> CanonicalizeHost(std::string_view host);
// `text` for logs and audit records: printable ASCII kept, every other byte as
// \xNN, cut at 256 bytes (then "...").
std::string EscapeHostForLog(std::string_view text);

// Parses `host[:port]` / `*.host[:port]`; an error names what is wrong.
Result<HostPattern> ParseHostPattern(std::string_view text);
// Lower-case, without one trailing dot and without IPv6 brackets.
std::string NormalizeHost(std::string_view host);
// True when `host` (any case, trailing dot allowed) and `port` match; false for
// any host CanonicalizeHost refuses.
bool PatternMatches(const HostPattern& pattern, std::string_view host, std::uint16_t port);

// Decimal digits only, 1..65535; nullopt otherwise.
std::optional<std::uint16_t> ParsePort(std::string_view text);

// A forward target `host:port` (port required, no wildcard).
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view text);

struct HostVerdict {
  bool allowed = false;
  std::string rule;     // "network.allow_domains" / "network.deny_domains"
  std::string matched;  // the pattern that decided, or "" (no pattern allowed it)
};

class HostRules {
 public:
  HostRules() = default;
  // Every pattern must parse; the first error is returned.
  static Result<HostRules> Build(const std::vector<std::string>& allow,
                                 const std::vector<std::string>& deny);
  // A URL without an explicit port passes its scheme's default (80, 443).
  HostVerdict Decide(std::string_view host, std::uint16_t port) const;

 private:
  std::vector<HostPattern> allow_;
  std::vector<HostPattern> deny_;
};

}  // namespace hotplex::policies
