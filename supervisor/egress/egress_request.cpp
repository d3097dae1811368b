#include "supervisor/egress/egress_request.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace hotplex::supervisor {
namespace {

using Parsed = std::variant<ProxyRequest, ProxyError>;
constexpr std::uint16_t kHttpPort = 80;
constexpr std::size_t kMaxContentLengthDigits = 18;  // fits std::uint64_t

ProxyError BadRequest(std::string body, std::string host = {}) {
  return ProxyError{400, "Bad Request", std::move(body), std::move(host)};
}

std::string Escaped(std::string_view text) { return policies::EscapeHostForLog(text); }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

// RFC 9110 token: header names and methods.
bool IsToken(std::string_view s) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

// Visible ASCII only: no control byte, space or non-ASCII in a request target.
bool IsVisibleAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// A field value may hold tabs, not NUL, a bare CR or LF, or any other control byte.
bool HasControlByte(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; });
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

// Headers the proxy replaces or that concern only this hop; Upgrade and TE
// would let a client turn the forwarded request into something undecided.
bool DroppedHeader(std::string_view name) {
  for (std::string_view dropped : {"Host", "Connection", "Keep-Alive", "Proxy-Connection",
                                   "Proxy-Authorization", "Upgrade", "TE"}) {
    if (IEquals(name, dropped)) return true;
  }
  return false;
}

std::optional<std::uint64_t> ParseContentLength(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > kMaxContentLengthDigits ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (const char c : value) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

// Copies the client's header lines that may go upstream into `req`; an error
// for a malformed line, a Transfer-Encoding or a second Content-Length.
std::optional<ProxyError> CopyHeaders(const std::vector<std::string_view>& lines,
                                      ProxyRequest& req) {
  bool have_length = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const auto colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || !IsToken(name) || HasControlByte(line)) {
      return BadRequest("hotplex egress: malformed header line " + std::to_string(i + 1) +
                            " (a control byte, a bare CR or LF, line folding or no name)",
                        req.target.Authority());
    }
    if (IEquals(name, "Transfer-Encoding")) {
      return ProxyError{501, "Not Implemented",
                        "hotplex egress: request bodies with Transfer-Encoding are not proxied; "
                        "send Content-Length",
                        req.target.Authority()};
    }
    if (IEquals(name, "Content-Length")) {
      const auto length = ParseContentLength(line.substr(colon + 1));
      if (have_length || !length) {
        return BadRequest("hotplex egress: one Content-Length of decimal digits is required",
                          req.target.Authority());
      }
      have_length = true;
      req.body_bytes = *length;
    }
    if (!DroppedHeader(name)) req.upstream_head.append(line).append("\r\n");
  }
  return std::nullopt;
}

Parsed ParsePlainHttp(std::string_view method, std::string_view target, std::string_view version,
                      const std::vector<std::string_view>& lines) {
  constexpr std::string_view kHttp = "http://";
  if (target.size() < kHttp.size() || !IEquals(target.substr(0, kHttp.size()), kHttp)) {
    return BadRequest(IEquals(target.substr(0, 8), "https://")
                          ? "hotplex egress: use CONNECT for https:// URLs"
                          : "hotplex egress: this is a proxy; send CONNECT host:port or an "
                            "absolute http:// URI");
  }
  target.remove_prefix(kHttp.size());
  const auto slash = target.find_first_of("/?");
  const std::string_view authority = target.substr(0, slash);
  auto parsed = ParseEgressAuthority(authority, kHttpPort);
  if (!parsed) {
    return BadRequest(
        "hotplex egress: malformed host in the request URI: " + parsed.error().message,
        Escaped(authority));
  }
  ProxyRequest req;
  req.target = std::move(*parsed);
  std::string path(slash == std::string_view::npos ? "/" : target.substr(slash));
  if (path.front() == '?') path.insert(0, "/");
  if (!IsVisibleAscii(path)) {
    return BadRequest(
        "hotplex egress: the request path holds a control byte, a space or a "
        "non-ASCII byte (percent-encode it)",
        req.target.Authority());
  }
  req.upstream_head = std::string(method) + " " + path + " " + std::string(version) + "\r\n" +
                      "Host: " + req.target.HostHeader(kHttpPort) + "\r\n";
  if (auto error = CopyHeaders(lines, req)) return std::move(*error);
  req.upstream_head += "Connection: close\r\n\r\n";
  return req;
}

Parsed ParseConnect(std::string_view target) {
  auto parsed = ParseEgressAuthority(target, 0);
  if (!parsed) {
    return BadRequest("hotplex egress: CONNECT needs host:port: " + parsed.error().message,
                      Escaped(target));
  }
  ProxyRequest req;
  req.connect = true;
  req.target = std::move(*parsed);
  return req;
}

}  // namespace

std::size_t FindHeadEnd(std::string_view buffer) {
  const auto end = buffer.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

std::variant<ProxyRequest, ProxyError> ParseProxyRequest(std::string_view head) {
  if (head.size() > kMaxProxyHeadBytes) {
    return ProxyError{
        431, "Request Header Fields Too Large",
        "hotplex egress: request head larger than " + std::to_string(kMaxProxyHeadBytes) + " bytes",
        ""};
  }
  const auto lines = SplitLines(head);
  if (lines.empty()) return BadRequest("hotplex egress: empty request");
  const std::string_view line = lines.front();
  if (line.size() > kMaxProxyRequestLineBytes) {
    return ProxyError{414, "URI Too Long",
                      "hotplex egress: request line longer than " +
                          std::to_string(kMaxProxyRequestLineBytes) + " bytes",
                      ""};
  }
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target =
      sp2 == std::string_view::npos ? std::string_view() : line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = sp2 == std::string_view::npos ? "" : line.substr(sp2 + 1);
  if (!IsToken(method) || target.empty() || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
    return BadRequest("hotplex egress: malformed request line '" + Escaped(line) +
                      "' (expected METHOD target HTTP/1.1)");
  }
  if (method == "CONNECT") return ParseConnect(target);
  return ParsePlainHttp(method, target, version, lines);
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
