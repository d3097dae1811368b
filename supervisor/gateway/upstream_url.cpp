#include <charconv>

#include "supervisor/gateway/gateway_config.hpp"

namespace hotplex::gateway {
namespace {

bool HostByteOk(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

Status ParseAuthority(std::string_view authority, UpstreamUrl& out, std::string_view url) {
  if (authority.find('@') != std::string_view::npos) {
    return MakeError("model_gateway.upstream '" + std::string(url) +
                     "' may not carry userinfo: put the key in model_gateway.api_key_file");
  }
  const auto colon = authority.rfind(':');
  std::string_view host = authority.substr(0, colon);
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return MakeError("model_gateway.upstream '" + std::string(url) +
                       "': the port must be 1-65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty() || host.size() > 253) {
    return MakeError("model_gateway.upstream '" + std::string(url) + "' has no host");
  }
  for (char c : host) {
    if (!HostByteOk(c)) {
      return MakeError("model_gateway.upstream '" + std::string(url) +
                       "': the host may hold only letters, digits, '-' and '.' (no userinfo, "
                       "no IPv6 literal)");
    }
  }
  out.host = std::string(host);
  return {};
}

}  // namespace

std::string UpstreamUrl::HostHeader() const {
  const std::uint16_t default_port = tls ? 443 : 80;
  return port == default_port ? host : host + ":" + std::to_string(port);
}

Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url) {
  UpstreamUrl out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    out.tls = false;
    out.port = 80;
    rest.remove_prefix(7);
  } else {
    return MakeError("model_gateway.upstream '" + std::string(url) +
                     "' must start with https:// (or http:// for a local test upstream)");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return MakeError("model_gateway.upstream '" + std::string(url) +
                     "' may not carry a query or fragment");
  }
  const auto slash = rest.find('/');
  HOTPLEX_TRY_STATUS(ParseAuthority(rest.substr(0, slash), out, url));
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.base_path = std::string(path);
  }
  return out;
}

}  // namespace hotplex::gateway
