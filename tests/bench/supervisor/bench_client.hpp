// Small synchronous clients and statistics shared by the supervisor benchmarks:
// a WebSocket client of /ws/v1/agent, JSON POST/DELETE, percentiles, RSS; and
// the one-policy PolicySource their daemons run with.
// Thread-safety: one client per thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include <httplib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "supervisor/session_policy.hpp"

namespace hotplex::bench {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Every team gets the same policy.
class OnePolicy : public supervisor::PolicySource {
 public:
  supervisor::SessionPolicyPtr Get(std::string_view) const override { return policy; }
  supervisor::SessionPolicyPtr policy;
};

// The default policy without the session cap (the namespace backend).
inline constexpr const char* kUncappedPolicy = R"(
extends: default
sandbox:
  limits: {max_sessions: 100000}
)";

class Ws {
 public:
  Ws(int port, const std::string& key) : ws_(io_) {
    ws_.next_layer().connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [key](boost::beast::websocket::request_type& r) {
          r.set("Authorization", "Bearer " + key);
        }));
    ws_.handshake("127.0.0.1", "/ws/v1/agent");
  }
  void Send(const json& j) { ws_.write(boost::asio::buffer(j.dump())); }
  json Read() { return json::parse(ReadRaw()); }
  // The next message's text, unparsed (a load generator that must not be the bottleneck).
  std::string ReadRaw() {
    buffer_.clear();
    ws_.read(buffer_);
    return boost::beast::buffers_to_string(buffer_.data());
  }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
};

inline long RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

inline json Post(int port, const std::string& key, const std::string& path, const json& body) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  auto r = c.Post(path, {{"Authorization", "Bearer " + key}}, body.dump(), "application/json");
  return r ? json::parse(r->body, nullptr, false) : json();
}

inline void Delete(int port, const std::string& key, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.Delete(path, {{"Authorization", "Bearer " + key}});
}

// POST /v1/sessions, attach over `ws`, wait for the `ready` status; milliseconds.
inline double CreateUntilReady(int port, const std::string& key, Ws& ws, std::string& id) {
  const auto start = Clock::now();
  id = Post(port, key, "/v1/sessions", {{"provider", "claude-code"}})["id"];
  ws.Send({{"type", "attach"}, {"session_id", id}});
  for (json m = ws.Read();; m = ws.Read()) {
    if (m["type"] == "status" && m["data"]["state"] == "ready" && m["session_id"] == id) break;
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Create-to-ready with the namespace backend, cold and from the warm pool.
void CreateToReadyNamespace(int n);
// The same with the docker backend, beside `docker run --rm` of `image`.
void CreateToReadyDocker(int n, const std::string& image);
// Stdout-line-to-WebSocket latency at each size, hotplexd vs websocketd.
void BrokerLatencyVsWebsocketd(const std::vector<int>& sizes);

}  // namespace hotplex::bench
