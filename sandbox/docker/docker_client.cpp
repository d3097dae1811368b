#include "sandbox/docker/docker_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sandbox/docker/docker_stream.hpp"

namespace hotplex::sandbox {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxResponseBytes = 64u << 20;

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("docker", "writing to the docker socket");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header value of `name` (lower-case) in the head block, or empty.
std::string HeaderValue(std::string_view head, std::string_view name) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const std::size_t end = head.find("\r\n", pos + 2);
    std::string_view line =
        head.substr(pos + 2, end == std::string_view::npos ? end : end - pos - 2);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && Lower(line.substr(0, colon)) == name) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    pos = end;
  }
  return {};
}

Result<std::string> DecodeChunked(std::string_view body) {
  std::string out;
  while (true) {
    const std::size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) return MakeError("docker: truncated chunked response");
    std::size_t size = 0;
    const auto [ptr, ec] = std::from_chars(body.data(), body.data() + eol, size, 16);
    if (ec != std::errc()) return MakeError("docker: bad chunk size in response");
    (void)ptr;
    body.remove_prefix(eol + 2);
    if (size == 0) return out;
    if (body.size() < size + 2) return MakeError("docker: truncated chunk in response");
    out.append(body.substr(0, size));
    body.remove_prefix(size + 2);
  }
}

std::string Quote(std::string_view path_segment) {
  std::string out;
  for (unsigned char c : path_segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

Result<std::string> DockerSocketFromEnvironment() {
  const char* host = std::getenv("DOCKER_HOST");
  if (host == nullptr || *host == '\0') return std::string(kDefaultDockerSocket);
  const std::string_view value(host);
  if (value.rfind("unix://", 0) != 0) {
    return MakeError("DOCKER_HOST=" + std::string(value) +
                     ": only unix:// sockets are supported by the docker backend");
  }
  return std::string(value.substr(7));
}

Result<HttpResponse> ParseHttpResponse(std::string_view raw) {
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string_view::npos || raw.size() < 12) {
    return MakeError("docker: malformed HTTP response from the daemon");
  }
  HttpResponse response;
  const auto [ptr, ec] = std::from_chars(raw.data() + 9, raw.data() + 12, response.status);
  if (ec != std::errc() || ptr != raw.data() + 12) return MakeError("docker: bad HTTP status line");
  const std::string_view head = raw.substr(0, head_end);
  std::string_view body = raw.substr(head_end + 4);
  if (Lower(HeaderValue(head, "transfer-encoding")) == "chunked") {
    HOTPLEX_TRY(response.body, DecodeChunked(body));
    return response;
  }
  const std::string length = HeaderValue(head, "content-length");
  if (!length.empty()) {
    std::size_t n = 0;
    std::from_chars(length.data(), length.data() + length.size(), n);
    if (body.size() < n) return MakeError("docker: truncated response body");
    body = body.substr(0, n);
  }
  response.body = std::string(body);
  return response;
}

int CompareApiVersions(std::string_view a, std::string_view b) {
  auto split = [](std::string_view v) {
    int major = 0, minor = 0;
    const std::size_t dot = v.find('.');
    std::from_chars(v.data(), v.data() + std::min(dot, v.size()), major);
    if (dot != std::string_view::npos)
      std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor);
    return std::pair{major, minor};
  };
  const auto x = split(a), y = split(b);
  if (x != y) return x < y ? -1 : 1;
  return 0;
}

Error DockerApiError(std::string_view what, const HttpResponse& response) {
  std::string message;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    message = body["message"].get<std::string>();
  } else {
    message = response.body.substr(0, 200);
  }
  return MakeError("docker " + std::string(what) + " failed (HTTP " +
                   std::to_string(response.status) + "): " + message);
}

Result<DockerClient> DockerClient::Connect(std::string socket_path) {
  if (socket_path.empty()) {
    HOTPLEX_TRY(socket_path, DockerSocketFromEnvironment());
  }
  DockerClient probe(socket_path, "");
  HOTPLEX_TRY(HttpResponse version, probe.Request("GET", "/version"));
  if (version.status != 200) return DockerApiError("GET /version", version);
  const json body = json::parse(version.body, nullptr, false);
  if (!body.is_object() || !body.contains("ApiVersion") || !body["ApiVersion"].is_string()) {
    return MakeError("docker: GET /version answered without an ApiVersion");
  }
  std::string api = body["ApiVersion"].get<std::string>();
  if (CompareApiVersions(api, kMaxApiVersion) > 0) api = kMaxApiVersion;
  if (CompareApiVersions(api, kMinApiVersion) < 0) {
    return MakeError("docker daemon speaks API " + api + "; the docker backend needs at least " +
                     kMinApiVersion + " (Docker 19.03)");
  }
  return DockerClient(std::move(socket_path), std::move(api));
}

Result<UniqueFd> DockerClient::Dial(std::chrono::seconds timeout) const {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof addr.sun_path) {
    return MakeError("docker socket path too long: " + socket_path_);
  }
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return ErrnoError("socket", "docker socket");
  if (timeout.count() > 0) {
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd.Get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.Get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ECONNREFUSED) {
      return Error{"docker daemon not reachable at " + socket_path_ +
                       ": is dockerd running? (set DOCKER_HOST=unix:///path for another socket)",
                   err, "connect"};
    }
    if (err == EACCES || err == EPERM) {
      return Error{"permission denied on " + socket_path_ +
                       ": run hotplexd as root or as a member of the socket's group (docker)",
                   err, "connect"};
    }
    return Error{"cannot connect to the docker daemon at " + socket_path_, err, "connect"};
  }
  return fd;
}

std::string DockerClient::Versioned(std::string_view path) const {
  if (api_version_.empty()) return std::string(path);
  return "/v" + api_version_ + std::string(path);
}

Result<HttpResponse> DockerClient::Request(std::string_view method, std::string_view path,
                                           const std::optional<json>& body,
                                           std::chrono::seconds timeout, int cancel_fd) const {
  HOTPLEX_TRY(UniqueFd fd, Dial(timeout));
  const std::string payload = body ? body->dump() : std::string();
  std::string request =
      std::string(method) + " " + Versioned(path) +
      " HTTP/1.1\r\nHost: docker\r\nUser-Agent: hotplexd\r\nConnection: close\r\n";
  if (body) {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(payload.size()) +
        "\r\n";
  }
  request += "\r\n" + payload;
  HOTPLEX_TRY_STATUS(WriteAll(fd.Get(), request));
  std::string raw;
  char buf[16384];
  while (true) {
    if (cancel_fd >= 0) {
      pollfd fds[2] = {{fd.Get(), POLLIN, 0}, {cancel_fd, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno == EINTR) continue;
      if (fds[1].revents != 0) return MakeError("docker: " + std::string(path) + ": cancelled");
    }
    const ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("docker", std::string(method) + " " + std::string(path));
    if (n == 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
    if (raw.size() > kMaxResponseBytes) return MakeError("docker: response too large");
  }
  return ParseHttpResponse(raw);
}

Status DockerClient::EnsureImage(const std::string& image) const {
  HOTPLEX_TRY(HttpResponse r, Request("GET", "/images/" + Quote(image) + "/json"));
  if (r.status == 404) {
    return MakeError("docker image '" + image +
                     "' is not present on this host: build it with `images/build` (no registry "
                     "is used; see images/README.md)");
  }
  if (r.status != 200) return DockerApiError("image inspect " + image, r);
  return {};
}

Result<std::string> DockerClient::CreateContainer(const json& body, const std::string& name) const {
  HOTPLEX_TRY(HttpResponse r, Request("POST", "/containers/create?name=" + Quote(name), body));
  if (r.status == 404) {
    return MakeError("docker image '" + body.value("Image", std::string()) +
                     "' is not present on this host: build it with `images/build`");
  }
  if (r.status != 201) return DockerApiError("container create", r);
  const json created = json::parse(r.body, nullptr, false);
  if (!created.is_object() || !created.contains("Id"))
    return MakeError("docker: create without Id");
  return created["Id"].get<std::string>();
}

Result<AttachStream> DockerClient::Attach(const std::string& id) const {
  HOTPLEX_TRY(UniqueFd fd, Dial(std::chrono::seconds(60)));
  const std::string request =
      "POST " + Versioned("/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1") +
      " HTTP/1.1\r\nHost: docker\r\nUser-Agent: hotplexd\r\n"
      "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
  HOTPLEX_TRY_STATUS(WriteAll(fd.Get(), request));
  std::string raw;
  char buf[4096];
  std::size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    const ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("docker", "attach: connection closed before the response");
    raw.append(buf, static_cast<std::size_t>(n));
    head_end = raw.find("\r\n\r\n");
    if (raw.size() > 65536) return MakeError("docker: attach response head too large");
  }
  HOTPLEX_TRY(HttpResponse head, ParseHttpResponse(raw.substr(0, head_end + 4)));
  if (head.status != 101 && head.status != 200) {
    head.body = raw.substr(head_end + 4);
    return DockerApiError("attach", head);
  }
  // The stream must not time out: a quiet agent is normal.
  timeval none{0, 0};
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  return AttachStream{std::move(fd), raw.substr(head_end + 4)};
}

Status DockerClient::Start(const std::string& id) const {
  HOTPLEX_TRY(HttpResponse r, Request("POST", "/containers/" + id + "/start"));
  if (r.status != 204 && r.status != 304) return DockerApiError("container start", r);
  return {};
}

Result<int> DockerClient::Wait(const std::string& id, int cancel_fd) const {
  HOTPLEX_TRY(HttpResponse r, Request("POST", "/containers/" + id + "/wait", std::nullopt,
                                      std::chrono::seconds(0), cancel_fd));
  if (r.status != 200) return DockerApiError("container wait", r);
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("StatusCode"))
    return MakeError("docker: bad wait answer");
  return body["StatusCode"].get<int>();
}

Result<ContainerState> DockerClient::Inspect(const std::string& id) const {
  HOTPLEX_TRY(HttpResponse r, Request("GET", "/containers/" + id + "/json"));
  if (r.status != 200) return DockerApiError("container inspect", r);
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("State")) return MakeError("docker: bad inspect answer");
  const json& s = body["State"];
  ContainerState state;
  state.running = s.value("Running", false);
  state.oom_killed = s.value("OOMKilled", false);
  state.exit_code = s.value("ExitCode", 0);
  state.pid = s.value("Pid", 0);
  state.error = s.value("Error", std::string());
  return state;
}

Status DockerClient::Kill(const std::string& id, int signal) const {
  HOTPLEX_TRY(HttpResponse r,
              Request("POST", "/containers/" + id + "/kill?signal=" + std::to_string(signal)));
  // 409: not running any more, which is what a kill wants anyway.
  if (r.status != 204 && r.status != 409) return DockerApiError("container kill", r);
  return {};
}

Status DockerClient::Remove(const std::string& id) const {
  HOTPLEX_TRY(HttpResponse r, Request("DELETE", "/containers/" + id + "?force=1&v=1"));
  if (r.status != 204 && r.status != 404) return DockerApiError("container remove", r);
  return {};
}

Result<ContainerStats> DockerClient::Stats(const std::string& id) const {
  HOTPLEX_TRY(HttpResponse r, Request("GET", "/containers/" + id + "/stats?stream=false"));
  if (r.status != 200) return DockerApiError("container stats", r);
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object()) return MakeError("docker: bad stats answer");
  ContainerStats stats;
  const json empty = json::object();
  const json& memory = body.contains("memory_stats") ? body["memory_stats"] : empty;
  stats.memory_usage = memory.value("usage", std::uint64_t{0});
  stats.memory_limit = memory.value("limit", std::uint64_t{0});
  if (body.contains("pids_stats"))
    stats.pids = body["pids_stats"].value("current", std::uint64_t{0});
  if (body.contains("cpu_stats") && body["cpu_stats"].contains("cpu_usage")) {
    stats.cpu_total_ns = body["cpu_stats"]["cpu_usage"].value("total_usage", std::uint64_t{0});
  }
  return stats;
}

Result<std::vector<ContainerSummary>> DockerClient::ListContainers(const std::string& key,
                                                                   const std::string& value) const {
  const json filters = {{"label", json::array({key + "=" + value})}};
  HOTPLEX_TRY(HttpResponse r,
              Request("GET", "/containers/json?all=1&filters=" + Quote(filters.dump())));
  if (r.status != 200) return DockerApiError("container list", r);
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_array()) return MakeError("docker: bad container list");
  std::vector<ContainerSummary> out;
  for (const json& c : body) {
    if (!c.is_object()) return MakeError("docker: bad container list entry");
    ContainerSummary summary;
    summary.id = c.value("Id", std::string());
    summary.image = c.value("Image", std::string());
    summary.running = c.value("State", std::string()) == "running";
    const auto labels = c.find("Labels");
    if (labels != c.end() && labels->is_object()) {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string()) summary.labels[k] = v.get<std::string>();
      }
    }
    out.push_back(std::move(summary));
  }
  return out;
}

Result<std::vector<std::string>> DockerClient::ListByLabel(const std::string& key,
                                                           const std::string& value) const {
  HOTPLEX_TRY(std::vector<ContainerSummary> containers, ListContainers(key, value));
  std::vector<std::string> ids;
  for (auto& c : containers) ids.push_back(std::move(c.id));
  return ids;
}

Result<std::optional<std::string>> DockerClient::NewestLineSince(
    const std::string& id, std::chrono::system_clock::time_point since) const {
  // tail=1: only the newest line is read back, and `since` keeps it only if it
  // is that recent. Docker takes "seconds.nanoseconds".
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since.time_since_epoch());
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "%lld.%09lld", static_cast<long long>(ns.count() / 1000000000),
                static_cast<long long>(ns.count() % 1000000000));
  HOTPLEX_TRY(HttpResponse r, Request("GET", "/containers/" + id +
                                                 "/logs?stdout=1&stderr=1&tail=1&since=" + stamp));
  if (r.status != 200) return DockerApiError("container logs", r);
  if (r.body.empty()) return std::optional<std::string>();
  std::string line;  // the frames of one line (a long one comes in 16 KiB parts)
  DockerStreamDemuxer demux;
  demux.Feed(r.body, [&](DockerStream, std::string_view data) { line.append(data); });
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return std::optional<std::string>(std::move(line));
}

}  // namespace hotplex::sandbox
