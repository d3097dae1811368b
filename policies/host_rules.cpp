#include "policies/host_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace hotplex::policies {
namespace {

constexpr std::size_t kMaxNameBytes = 253;
constexpr std::size_t kMaxLabelBytes = 63;
constexpr std::size_t kMaxLogBytes = 256;

bool IsHostChar(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; }

// Plain ASCII tests: std::isalnum depends on the locale.
bool IsLdh(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}
bool IsHexDigit(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsHostName(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.front() == '-') return false;
  if (h.find("..") != std::string_view::npos) return false;
  return std::all_of(h.begin(), h.end(), [](unsigned char c) { return IsHostChar(c); });
}

Error BadHost(std::string_view host, const std::string& why) {
  return MakeError("host '" + EscapeHostForLog(host) + "' " + why +
                   "; a host is a DNS name (letters, digits, '-' and '.'), a dotted-quad IPv4 "
                   "address or a bracketed IPv6 address");
}

// Why `h` cannot be a DNS name because of one of its bytes, or "".
std::string ForbiddenByte(std::string_view h) {
  for (const unsigned char c : h) {
    if (IsLdh(c) || c == '.') continue;
    char hex[8];
    (void)std::snprintf(hex, sizeof hex, "0x%02x", c);
    if (c < 0x20 || c == 0x7f) return std::string("contains a control byte (") + hex + ")";
    if (c >= 0x80) {
      return "contains a non-ASCII byte (send an internationalised name in its punycode "
             "'xn--' form)";
    }
    if (c == ' ') return "contains a space";
    if (c == '@') return "contains '@' (userinfo is not accepted)";
    if (c == '%') return "contains '%' (percent-encoding is not accepted)";
    return std::string("contains the character '") + static_cast<char>(c) + "'";
  }
  return "";
}

// The WHATWG URL rule: a last label of digits or 0x-hex makes the C resolver
// (inet_aton) read the whole name as an IPv4 address in one of its forms.
bool IsNumericLabel(std::string_view label) {
  if (label.size() >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) {
    return std::all_of(label.begin() + 2, label.end(), IsHexDigit);
  }
  return !label.empty() && std::all_of(label.begin(), label.end(),
                                       [](unsigned char c) { return c >= '0' && c <= '9'; });
}

Result<CanonicalHost> CanonicalizeIpv6(std::string_view host) {
  std::string_view inner = host;
  if (inner.size() >= 2 && inner.front() == '[' && inner.back() == ']') {
    inner = inner.substr(1, inner.size() - 2);
  }
  const bool bad_char = !std::all_of(inner.begin(), inner.end(), [](unsigned char c) {
    return IsHexDigit(c) || c == ':' || c == '.';
  });
  if (bad_char) {
    return BadHost(host, inner.find('%') != std::string_view::npos
                             ? "has an IPv6 zone or percent-encoding (not accepted)"
                             : "is not a valid IPv6 address");
  }
  in6_addr addr{};
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_pton(AF_INET6, std::string(inner).c_str(), &addr) != 1 ||
      ::inet_ntop(AF_INET6, &addr, text, sizeof text) == nullptr) {
    return BadHost(host, "is not a valid IPv6 address");
  }
  return CanonicalHost{text, HostKind::kIpv6};
}

// Checks each label of a lower-cased name; "" when all are valid.
std::string LabelProblem(std::string_view name) {
  while (true) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty()) return "has an empty label";
    if (label.size() > kMaxLabelBytes) return "has a label longer than 63 bytes";
    if (label.front() == '-' || label.back() == '-')
      return "has a label that starts or ends with '-'";
    if (dot == std::string_view::npos) return "";
    name.remove_prefix(dot + 1);
  }
}

Result<CanonicalHost> CanonicalizeName(std::string_view host) {
  std::string_view h = host;
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  if (h.empty()) return BadHost(host, "is empty");
  if (auto bad = ForbiddenByte(h); !bad.empty()) return BadHost(host, bad);
  if (h.size() > kMaxNameBytes) return BadHost(host, "is longer than 253 bytes");
  std::string name(h);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (auto bad = LabelProblem(name); !bad.empty()) return BadHost(host, bad);
  const auto last_dot = name.rfind('.');
  if (!IsNumericLabel(last_dot == std::string::npos ? name : name.substr(last_dot + 1))) {
    return CanonicalHost{std::move(name), HostKind::kName};
  }
  in_addr addr{};  // glibc's inet_pton takes the strict dotted quad only (no 0x, no 010)
  if (::inet_pton(AF_INET, name.c_str(), &addr) != 1) {
    return BadHost(host, "ends in a number but is not a dotted-quad IPv4 address");
  }
  return CanonicalHost{std::move(name), HostKind::kIpv4};
}

bool MatchesCanonical(const HostPattern& pattern, const CanonicalHost& host, std::uint16_t port) {
  if (pattern.port && *pattern.port != port) return false;
  if (!pattern.subdomains) return host.name == pattern.host;
  if (host.kind != HostKind::kName) return false;  // "*.0.0.1" is no pattern for 127.0.0.1
  // Subdomains only: "a.example.com" ends with ".example.com".
  const std::string& h = host.name;
  return h.size() > pattern.host.size() + 1 && h.ends_with(pattern.host) &&
         h[h.size() - pattern.host.size() - 1] == '.';
}

bool AnyMatches(const std::vector<HostPattern>& patterns, const CanonicalHost& host,
                std::uint16_t port, std::string* matched) {
  for (const auto& p : patterns) {
    if (MatchesCanonical(p, host, port)) {
      *matched = p.text;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string NormalizeHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<HostPattern> ParseHostPattern(std::string_view text) {
  HostPattern p;
  p.text = std::string(text);
  std::string_view rest = text;
  if (rest.rfind("*.", 0) == 0) {
    p.subdomains = true;
    rest.remove_prefix(2);
  }
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    p.port = ParsePort(rest.substr(colon + 1));
    if (!p.port) return MakeError("invalid port in '" + p.text + "' (expected 1-65535)");
    rest = rest.substr(0, colon);
  }
  if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  if (!IsHostName(rest)) {
    return MakeError("'" + p.text + "' is not a host name");
  }
  p.host = NormalizeHost(rest);
  return p;
}

bool PatternMatches(const HostPattern& pattern, std::string_view host, std::uint16_t port) {
  auto canonical = CanonicalizeHost(host);
  return canonical && MatchesCanonical(pattern, *canonical, port);
}

Result<CanonicalHost> CanonicalizeHost(std::string_view host) {
  // A ':' can only be part of an IPv6 address; anything else with one is refused there.
  if (host.find(':') != std::string_view::npos) return CanonicalizeIpv6(host);
  return CanonicalizeName(host);
}

std::string EscapeHostForLog(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMaxLogBytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    char hex[8];
    (void)std::snprintf(hex, sizeof hex, "\\x%02x", c);
    out += hex;
  }
  if (text.size() > kMaxLogBytes) out += "...";
  return out;
}

std::optional<std::uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

Result<HostPort> ParseHostPort(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return MakeError("'" + std::string(text) + "' is not host:port");
  }
  const auto port = ParsePort(text.substr(colon + 1));
  if (!port) return MakeError("invalid port in '" + std::string(text) + "' (expected 1-65535)");
  const std::string_view host = text.substr(0, colon);
  if (!IsHostName(host)) return MakeError("invalid host in '" + std::string(text) + "'");
  return HostPort{NormalizeHost(host), *port};
}

Result<HostRules> HostRules::Build(const std::vector<std::string>& allow,
                                   const std::vector<std::string>& deny) {
  HostRules rules;
  for (const auto& text : allow) {
    HOTPLEX_TRY(auto p, ParseHostPattern(text));
    rules.allow_.push_back(std::move(p));
  }
  for (const auto& text : deny) {
    HOTPLEX_TRY(auto p, ParseHostPattern(text));
    rules.deny_.push_back(std::move(p));
  }
  return rules;
}

HostVerdict HostRules::Decide(std::string_view host, std::uint16_t port) const {
  HostVerdict v;
  v.rule = "network.allow_domains";
  const auto canonical = CanonicalizeHost(host);
  if (!canonical) return v;  // not a host: nothing allows it
  if (AnyMatches(deny_, *canonical, port, &v.matched)) {
    v.rule = "network.deny_domains";
    return v;
  }
  v.allowed = AnyMatches(allow_, *canonical, port, &v.matched);
  return v;
}

}  // namespace hotplex::policies
