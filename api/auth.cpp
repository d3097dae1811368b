#include "api/auth.hpp"

#include <strings.h>

namespace hotplex::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> BearerToken(std::string_view authorization) {
  authorization = Trim(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      ::strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  const std::string_view key = Trim(authorization.substr(kScheme.size()));
  if (key.empty()) return std::nullopt;
  return std::string(key);
}

std::optional<std::string> WebSocketBearer(std::string_view protocols) {
  while (!protocols.empty()) {
    const auto comma = protocols.find(',');
    const std::string_view item = Trim(protocols.substr(0, comma));
    if (item.size() > kBearerProtocolPrefix.size() && item.starts_with(kBearerProtocolPrefix)) {
      return std::string(item.substr(kBearerProtocolPrefix.size()));
    }
    if (comma == std::string_view::npos) break;
    protocols.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

}  // namespace hotplex::api
