// supervisor_bench: figures of hotplexd's broker, in-process over real loopback
// sockets (HTTP + WebSocket), with the fake agent in the process backend (so
// the figures are the supervisor's and the API's, not the namespace jail's):
//   - session create-to-ready (POST /v1/sessions until the `ready` status event), cold
//   - events/s from one agent's stdout to one WebSocket client
//   - stdout-line-to-WebSocket latency p50/p99 (fake agent stamps CLOCK_MONOTONIC)
//   - daemon RSS growth per idle session (agents are separate processes)
//   - create-to-ready with the namespace backend, cold and warm (create_to_ready_bench.cpp)
//   - stdout-line-to-WebSocket latency at 1/100/1000 sessions vs websocketd
//     (broker_latency_bench.cpp)
//   - create-to-ready with the docker backend, cold and warm, beside `docker run --rm`
// Usage: supervisor_bench [sessions_for_rss=500] [events=200000] [create_to_ready_n=100]
//                         [latency_sizes=1,100,1000] [docker_n=20]
//                         [docker_image=hotplex/sandbox-test]     (a count of 0 skips a part)
#include <time.h>
#include <unistd.h>

#include <cstdlib>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "api/daemon.hpp"
#include "policies/policy_loader.hpp"
#include "supervisor/api_key.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/bench/supervisor/bench_client.hpp"
#include "tests/integration/api/spawn_backend.hpp"

namespace {

using namespace hotplex::bench;
namespace sv = hotplex::supervisor;

constexpr const char* kKey = "bench-key";
constexpr const char* kPolicy = R"(
extends: default
sandbox:
  backend: process
  unsafe: true
  limits: {max_sessions: 100000}
provider:
  exec: {allowed_commands: [/bin/cat]}
)";

json Post(int port, const std::string& path, const json& body) {
  return hotplex::bench::Post(port, kKey, path, body);
}

void CreateToReady(int port, int n) {
  std::vector<double> ms;
  Ws ws(port, kKey);
  for (int i = 0; i < n; ++i) {
    std::string id;
    ms.push_back(CreateUntilReady(port, kKey, ws, id));
    Delete(port, kKey, "/v1/sessions/" + id);
  }
  std::printf(
      "create-to-ready (cold, fake agent, process backend, n=%d): p50 %.2f ms  p99 %.2f ms\n", n,
      Percentile(ms, 0.5), Percentile(ms, 0.99));
}

struct StreamResult {
  int texts = 0;
  Clock::time_point first, last;
  std::vector<double> latency_us;
};

// One session echoing `events` stamped lines to one WebSocket client.
StreamResult StreamOnce(int port, int events) {
  StreamResult r;
  const std::string id = Post(port, "/v1/sessions", {{"provider", "claude-code"}})["id"];
  Ws ws(port, kKey);
  ws.Send({{"type", "attach"}, {"session_id", id}});
  ws.Send(
      {{"type", "prompt"}, {"session_id", id}, {"text", "fake:echo " + std::to_string(events)}});
  r.latency_us.reserve(static_cast<std::size_t>(events));
  // Raw string matching instead of a JSON parse per message: the client shares
  // the 2 cores with the broker and the agents and must cost as little as it can.
  constexpr std::string_view kEcho = "\"text\":\"echo ";
  for (std::string m = ws.ReadRaw(); m.find("\"type\":\"turn_end\"") == std::string::npos;
       m = ws.ReadRaw()) {
    const auto at = m.find(kEcho);
    if (at == std::string::npos || m.find("\"type\":\"text\"") == std::string::npos) continue;
    if (r.texts++ == 0) r.first = Clock::now();
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char* end = nullptr;
    std::strtoull(m.c_str() + at + kEcho.size(), &end, 10);  // the line's index
    const double stamp = static_cast<double>(std::strtoull(end, nullptr, 10));
    r.latency_us.push_back((now.tv_sec * 1e9 + now.tv_nsec - stamp) / 1e3);
  }
  r.last = Clock::now();
  Delete(port, kKey, "/v1/sessions/" + id);
  return r;
}

// `sessions` agents at once (one client thread each), `events` lines each.
void Throughput(int port, int sessions, int events) {
  std::vector<StreamResult> results(static_cast<std::size_t>(sessions));
  std::vector<std::thread> threads;
  for (int i = 0; i < sessions; ++i) {
    threads.emplace_back(
        [&, i] { results[static_cast<std::size_t>(i)] = StreamOnce(port, events); });
  }
  for (auto& t : threads) t.join();
  Clock::time_point first = results[0].first, last = results[0].last;
  std::vector<double> latency_us;
  long total = 0;
  for (const auto& r : results) {
    first = std::min(first, r.first);
    last = std::max(last, r.last);
    total += r.texts;
    latency_us.insert(latency_us.end(), r.latency_us.begin(), r.latency_us.end());
  }
  const double secs = std::chrono::duration<double>(last - first).count();
  std::printf(
      "events/s, %d agent(s) -> %d WebSocket client(s): %.0f (%ld text events in %.2f s; "
      "line latency while saturated: p50 %.1f ms, p99 %.1f ms)\n",
      sessions, sessions, static_cast<double>(total) / secs, total, secs,
      Percentile(latency_us, 0.5) / 1e3, Percentile(latency_us, 0.99) / 1e3);
}

void RssPerSession(int port, int n) {
  const long before = RssKiB();
  for (int i = 0; i < n; ++i)
    Post(port, "/v1/sessions", {{"provider", "exec"}, {"argv", {"/bin/cat"}}});
  const long after = RssKiB();
  std::printf("daemon RSS growth over %d idle exec sessions: %ld KiB total, %.1f KiB per session\n",
              n, after - before, static_cast<double>(after - before) / n);
}

}  // namespace

int main(int argc, char** argv) {
  const int rss_sessions = argc > 1 ? std::atoi(argv[1]) : 500;
  const int events = argc > 2 ? std::atoi(argv[2]) : 200000;
  const int ready_n = argc > 3 ? std::atoi(argv[3]) : 100;
  std::vector<int> latency_sizes;  // "1,100,1000" (default); "0" = skip
  for (std::string list = argc > 4 ? argv[4] : "1,100,1000"; !list.empty();) {
    const auto comma = list.find(',');
    if (const int n = std::atoi(list.substr(0, comma).c_str()); n > 0) latency_sizes.push_back(n);
    list = comma == std::string::npos ? "" : list.substr(comma + 1);
  }
  char tmpl[] = "/tmp/hotplex-bench-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  sv::DaemonConfig config;
  config.state_dir = dir + "/state";
  config.api = {"127.0.0.1", 0};
  config.admin = {"127.0.0.1", 0};
  config.events.subscriber_queue = 1u << 20;
  config.claude_command = {std::string(HOTPLEX_BINARY_DIR) + "/tests/bin/fake-agent"};
  sv::Tenant tenant{"bench", "bench", {sv::HashApiKey(kKey)}, dir + "/ws", 60000, 60000, 0};
  config.tenants = {tenant};
  OnePolicy policies;
  policies.policy = sv::ToSessionPolicy(*hotplex::policies::LoadPolicyText(kPolicy, "bench", ""));
  auto backend = hotplex::testing::MakeSpawnBackend();
  auto daemon = hotplex::api::Daemon::Start(config, policies, {{backend->Kind(), backend.get()}});
  if (!daemon) return std::fprintf(stderr, "%s\n", daemon.error().Describe().c_str()), 1;
  const int port = (*daemon)->ApiPort();
  CreateToReady(port, 100);
  if (events > 0) {
    Throughput(port, 1, events);
    Throughput(port, 4, events / 4);
  }
  RssPerSession(port, rss_sessions);
  daemon->reset();
  std::filesystem::remove_all(dir);
  if (ready_n > 0) hotplex::bench::CreateToReadyNamespace(ready_n);
  if (!latency_sizes.empty()) hotplex::bench::BrokerLatencyVsWebsocketd(latency_sizes);
  const int docker_n = argc > 5 ? std::atoi(argv[5]) : 20;
  if (docker_n > 0) {
    hotplex::bench::CreateToReadyDocker(docker_n, argc > 6 ? argv[6] : "hotplex/sandbox-test");
  }
  return 0;
}
