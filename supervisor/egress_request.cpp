#include "supervisor/egress_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace hotplex::supervisor {
namespace {

ProxyError BadRequest(std::string body) { return ProxyError{400, "Bad Request", std::move(body)}; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<std::string_view> SplitLines(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    const auto eol = head.find("\r\n");
    if (eol == std::string_view::npos) break;
    if (eol > 0) lines.push_back(head.substr(0, eol));
    head.remove_prefix(eol + 2);
  }
  return lines;
}

// "host:port", "[v6]:port", or "host" with `default_port`. False when malformed.
bool SplitAuthority(std::string_view authority, std::uint16_t default_port, std::string& host,
                    std::uint16_t& port) {
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of("@/ \t") != std::string::npos) return false;
  if (port_text.empty()) {
    port = default_port;
    return default_port != 0;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
      value > 65535) {
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

bool DroppedHeader(std::string_view line) {
  const auto colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  return IEquals(name, "Proxy-Connection") || IEquals(name, "Proxy-Authorization") ||
         IEquals(name, "Connection") || IEquals(name, "Keep-Alive");
}

std::variant<ProxyRequest, ProxyError> ParsePlainHttp(std::string_view method,
                                                      std::string_view target,
                                                      std::string_view version,
                                                      const std::vector<std::string_view>& lines) {
  constexpr std::string_view kHttp = "http://";
  if (target.size() < kHttp.size() || !IEquals(target.substr(0, kHttp.size()), kHttp)) {
    return BadRequest(target.rfind("https://", 0) == 0
                          ? "hotplex egress: use CONNECT for https:// URLs"
                          : "hotplex egress: this is a proxy; send CONNECT host:port or an "
                            "absolute http:// URI");
  }
  target.remove_prefix(kHttp.size());
  const auto slash = target.find_first_of("/?");
  const std::string_view authority = target.substr(0, slash);
  ProxyRequest req;
  if (!SplitAuthority(authority, 80, req.host, req.port)) {
    return BadRequest("hotplex egress: missing or malformed host in the request URI");
  }
  std::string path(slash == std::string_view::npos ? "/" : target.substr(slash));
  if (path.front() == '?') path.insert(0, "/");
  req.upstream_head = std::string(method) + " " + path + " " + std::string(version) + "\r\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (DroppedHeader(lines[i])) continue;
    req.upstream_head.append(lines[i]).append("\r\n");
  }
  req.upstream_head += "Connection: close\r\n\r\n";
  return req;
}

}  // namespace

std::size_t FindHeadEnd(std::string_view buffer) {
  const auto end = buffer.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

std::variant<ProxyRequest, ProxyError> ParseProxyRequest(std::string_view head) {
  if (head.size() > kMaxProxyHeadBytes) {
    return ProxyError{431, "Request Header Fields Too Large",
                      "hotplex egress: request head larger than " +
                          std::to_string(kMaxProxyHeadBytes) + " bytes"};
  }
  const auto lines = SplitLines(head);
  if (lines.empty()) return BadRequest("hotplex egress: empty request");
  const std::string_view line = lines.front();
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return BadRequest("hotplex egress: malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || target.empty() || version.rfind("HTTP/1.", 0) != 0) {
    return BadRequest("hotplex egress: malformed request line");
  }
  if (method != "CONNECT") return ParsePlainHttp(method, target, version, lines);
  ProxyRequest req;
  req.connect = true;
  if (!SplitAuthority(target, 0, req.host, req.port)) {
    return BadRequest("hotplex egress: CONNECT needs host:port");
  }
  return req;
}

std::string ProxyResponse(int status, std::string_view reason, std::string_view body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Length: " + std::to_string(body.size() + 1) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out.append(body).append("\n");
  return out;
}

}  // namespace hotplex::supervisor
