// DockerClient: the Docker Engine API over its unix socket, nothing else.
//
// Each request opens its own connection (HTTP/1.1, `Connection: close`), so a
// DockerClient is stateless after construction and safe to share between
// threads; a long `wait` never blocks other requests. The API version is
// negotiated once in Connect() (GET /version): the highest both sides speak,
// at most kMaxApiVersion. Errors say what to do: a missing socket, a denied
// socket, an absent image (with how to build it) and the daemon's own message.
// `attach` is a hijacked connection (`Upgrade: tcp`) returned as a raw fd.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::sandbox {

inline constexpr const char* kDefaultDockerSocket = "/var/run/docker.sock";
inline constexpr const char* kMaxApiVersion = "1.41";
inline constexpr const char* kMinApiVersion = "1.40";

// DOCKER_HOST=unix:///path wins over the default socket; other schemes are an error.
Result<std::string> DockerSocketFromEnvironment();

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Parses a complete HTTP/1.1 response (status line, headers, identity or
// chunked body). Exposed for unit tests.
Result<HttpResponse> ParseHttpResponse(std::string_view raw);
// "a.b" version compare: <0, 0, >0.
int CompareApiVersions(std::string_view a, std::string_view b);
// The daemon's {"message": ...} as an Error that says which call failed.
Error DockerApiError(std::string_view what, const HttpResponse& response);

struct ContainerState {
  bool running = false;
  bool oom_killed = false;
  int exit_code = 0;
  pid_t pid = 0;
  std::string error;  // State.Error: why the runtime could not start it
};

struct ContainerStats {
  std::uint64_t memory_usage = 0;
  std::uint64_t memory_limit = 0;
  std::uint64_t pids = 0;
  std::uint64_t cpu_total_ns = 0;
};

// One entry of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::string image;  // as created (the name, not the digest)
  bool running = false;
  std::map<std::string, std::string> labels;
};

struct AttachStream {
  UniqueFd fd;           // the hijacked connection
  std::string leftover;  // stream bytes read together with the response head
};

class DockerClient {
 public:
  // Connects to `socket_path` (empty: DOCKER_HOST or the default) and negotiates the version.
  static Result<DockerClient> Connect(std::string socket_path = {});

  const std::string& ApiVersion() const { return api_version_; }
  const std::string& SocketPath() const { return socket_path_; }

  // A raw request; `path` without the /v1.xx prefix. `timeout` zero = none.
  // `cancel_fd` (an eventfd, or -1): once readable, the request gives up.
  Result<HttpResponse> Request(std::string_view method, std::string_view path,
                               const std::optional<nlohmann::json>& body = std::nullopt,
                               std::chrono::seconds timeout = std::chrono::seconds(60),
                               int cancel_fd = -1) const;

  Status EnsureImage(const std::string& image) const;
  Result<std::string> CreateContainer(const nlohmann::json& body, const std::string& name) const;
  Result<AttachStream> Attach(const std::string& id) const;
  Status Start(const std::string& id) const;
  // Blocks until the container stops (or `cancel_fd` is readable); returns its exit code.
  Result<int> Wait(const std::string& id, int cancel_fd = -1) const;
  Result<ContainerState> Inspect(const std::string& id) const;
  Status Kill(const std::string& id, int signal) const;
  Status Remove(const std::string& id) const;  // force, with anonymous volumes
  Result<ContainerStats> Stats(const std::string& id) const;
  // All containers (running or not) carrying label `key=value`.
  Result<std::vector<ContainerSummary>> ListContainers(const std::string& key,
                                                       const std::string& value) const;
  // Their ids only.
  Result<std::vector<std::string>> ListByLabel(const std::string& key,
                                               const std::string& value) const;
  // The newest line the container wrote to stdout or stderr (without its
  // newline), if it was written at or after `since`; read from its log
  // (json-file or local driver; others cannot be read back).
  Result<std::optional<std::string>> NewestLineSince(
      const std::string& id, std::chrono::system_clock::time_point since) const;

 private:
  DockerClient(std::string socket_path, std::string api_version)
      : socket_path_(std::move(socket_path)), api_version_(std::move(api_version)) {}
  Result<UniqueFd> Dial(std::chrono::seconds timeout) const;
  std::string Versioned(std::string_view path) const;

  std::string socket_path_;
  std::string api_version_;
};

}  // namespace hotplex::sandbox
