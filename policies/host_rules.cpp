#include "policies/host_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hotplex::policies {
namespace {

bool IsHostChar(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; }

bool IsHostName(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.front() == '-') return false;
  if (h.find("..") != std::string_view::npos) return false;
  return std::all_of(h.begin(), h.end(), [](unsigned char c) { return IsHostChar(c); });
}

std::optional<std::uint16_t> ParsePort(std::string_view s) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

bool IsIpv4Literal(const std::string& h) {
  in_addr addr{};
  return ::inet_pton(AF_INET, h.c_str(), &addr) == 1;
}

bool AnyMatches(const std::vector<HostPattern>& patterns, std::string_view host,
                std::uint16_t port, std::string* matched) {
  for (const auto& p : patterns) {
    if (PatternMatches(p, host, port)) {
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
  if (pattern.port && *pattern.port != port) return false;
  const std::string h = NormalizeHost(host);
  if (!pattern.subdomains) return h == pattern.host;
  if (IsIpv4Literal(h)) return false;  // "*.0.0.1" is no subdomain pattern for 127.0.0.1
  // Subdomains only: "a.example.com" ends with ".example.com".
  return h.size() > pattern.host.size() + 1 && h.ends_with(pattern.host) &&
         h[h.size() - pattern.host.size() - 1] == '.';
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
  if (AnyMatches(deny_, host, port, &v.matched)) {
    v.rule = "network.deny_domains";
    return v;
  }
  v.rule = "network.allow_domains";
  v.allowed = AnyMatches(allow_, host, port, &v.matched);
  return v;
}

}  // namespace hotplex::policies
