// Broker latency, hotplexd vs websocketd: from the fake agent writing a stdout
// line (it stamps CLOCK_MONOTONIC into the line) to a WebSocket client reading
// it, p50/p99, at N concurrent sessions, one WebSocket connection per session.
//   - hotplexd (in process): N claude-code sessions running the fake agent in
//     the namespace backend (N sandboxes); each connection attaches to one and
//     sends the prompt `fake:echo K US`; the text events carry the stamps.
//   - websocketd: the same fake agent, one process per connection (websocketd's
//     model, no sandbox); each connection sends the same prompt as a stream-json
//     user line and reads the raw stream-json lines (text deltas carry the stamps).
// Every session emits lines at the same steady rate, the sessions' starts
// spread evenly over one interval; the client is one single-threaded Beast
// client for all N connections, reading before any agent writes.
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/daemon.hpp"
#include "policies/policy_loader.hpp"
#include "sandbox/backend.hpp"
#include "supervisor/api_key.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/bench/supervisor/bench_client.hpp"
#include "tests/support/piped_process.hpp"

namespace hotplex::bench {
namespace {

namespace sv = hotplex::supervisor;
namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

constexpr const char* kKey = "latency-key";

double NowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// The stamp of "echo <i> <ns>" in `text`, or 0.
double Stamp(const std::string& text) {
  const auto at = text.find("echo ");
  if (at == std::string::npos) return 0;
  const auto space = text.find(' ', at + 5);
  return space == std::string::npos ? 0 : std::strtod(text.c_str() + space + 1, nullptr);
}

// Connections that ended before their last expected line (reset per run).
std::size_t g_read_errors = 0;
std::string g_first_error;

// One connection: sends its opening messages, then reads until `expected`
// stamped lines arrived (or the connection ends), recording each latency in us.
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& io, std::vector<double>& latencies, bool hotplex)
      : ws_(io), latencies_(latencies), hotplex_(hotplex) {}
  boost::system::error_code Open(int port, const std::string& path) {
    boost::system::error_code ec;
    ws_.next_layer().connect(
        {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
    if (ec) return ec;
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& r) { r.set("Authorization", std::string("Bearer ") + kKey); }));
    ws_.handshake("127.0.0.1", path, ec);
    return ec;
  }
  void Send(const std::string& text) { ws_.write(asio::buffer(text)); }
  // The message that starts the agent's output, sent by Start() from the event
  // loop once every connection is reading.
  void SetPrompt(std::string prompt) { prompt_ = std::move(prompt); }
  void Start() {
    ws_.async_write(asio::buffer(prompt_),
                    [self = shared_from_this()](boost::system::error_code, std::size_t) {});
  }
  void Read(std::size_t expected, std::size_t& done) {
    ws_.async_read(buffer_, [self = shared_from_this(), expected, &done](
                                boost::system::error_code ec, std::size_t) {
      if (ec) {
        if (self->got_ < expected && g_read_errors++ == 0) g_first_error = ec.message();
        return void(++done);
      }
      if (self->OnMessage() && ++self->got_ == expected) return void(++done);
      self->Read(expected, done);
    });
  }

 private:
  bool OnMessage() {
    const double now = NowNs();
    auto j = json::parse(boost::beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.clear();
    std::string text;
    if (hotplex_ && j.is_object() && j["type"] == "text") text = j["data"].value("text", "");
    if (!hotplex_ && j.is_object() && j["type"] == "stream_event") {
      const json delta =
          j["event"].is_object() ? j["event"].value("delta", json::object()) : json::object();
      if (delta.is_object() && delta.value("type", "") == "text_delta") {
        text = delta.value("text", "");
      }
    }
    const double stamp = Stamp(text);
    if (stamp <= 0) return false;
    latencies_.push_back((now - stamp) / 1e3);
    return true;
  }

  websocket::stream<asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  std::string prompt_;
  std::vector<double>& latencies_;
  const bool hotplex_;
  std::size_t got_ = 0;
};

struct Load {
  int lines = 0;
  int interval_us = 0;
  std::string Prompt() const {
    return "fake:echo " + std::to_string(lines) + " " + std::to_string(interval_us);
  }
};

// Same aggregate rate cap at every size: one line per max(10 ms, N x 0.2 ms)
// per session, for about 4 s.
Load LoadFor(int n) {
  Load load;
  load.interval_us = std::max(10000, n * 200);
  load.lines = 4000000 / load.interval_us;
  return load;
}

// Busy fraction of all CPUs over `window` (from /proc/stat).
double CpuBusy(std::chrono::milliseconds window) {
  auto sample = [] {
    std::ifstream in("/proc/stat");
    std::string cpu;
    std::uint64_t v[8] = {}, total = 0;
    in >> cpu;
    for (auto& x : v) in >> x, total += x;
    return std::pair<std::uint64_t, std::uint64_t>{v[3] + v[4], total};  // idle + iowait
  };
  const auto a = sample();
  std::this_thread::sleep_for(window);
  const auto b = sample();
  const double total = static_cast<double>(b.second - a.second);
  return total <= 0 ? 0 : 1.0 - static_cast<double>(b.first - a.first) / total;
}

// Waits (at most 30 s) until the machine is quiet: the n agents just started
// (sandboxes set up, programs loaded) must not steal the CPU from the broker
// being measured. The same wait for both servers.
void WaitForQuiet() {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (CpuBusy(std::chrono::milliseconds(300)) > 0.25 && Clock::now() < deadline) {
  }
}

// Opens n connections with `open` (which attaches and sets the prompt), arms
// every read, and only then sends the prompts from the event loop, so no agent
// writes while the client is still busy opening connections (such lines would
// wait in socket buffers and measure the client, not the broker). Latencies in us.
std::vector<double> Drive(int n, const Load& load, bool hotplex,
                          const std::function<bool(Conn&, int)>& open) {
  asio::io_context io;
  std::vector<double> latencies;
  std::vector<std::shared_ptr<Conn>> conns;
  for (int i = 0; i < n; ++i) {
    auto c = std::make_shared<Conn>(io, latencies, hotplex);
    if (!open(*c, i)) break;
    conns.push_back(std::move(c));
  }
  WaitForQuiet();
  std::size_t done = 0;
  g_read_errors = 0;
  g_first_error.clear();
  for (auto& c : conns) c->Read(static_cast<std::size_t>(load.lines), done);
  // Session i starts i/n of an interval after the first: the aggregate rate is
  // steady instead of n lines in the same instant every interval (the same
  // schedule for both servers).
  std::vector<std::unique_ptr<asio::steady_timer>> starts;
  for (std::size_t i = 0; i < conns.size(); ++i) {
    const auto offset = std::chrono::microseconds(load.interval_us * static_cast<long>(i) /
                                                  static_cast<long>(conns.size()));
    starts.push_back(std::make_unique<asio::steady_timer>(io, offset));
    starts.back()->async_wait([c = conns[i]](boost::system::error_code ec) {
      if (!ec) c->Start();
    });
  }
  asio::steady_timer limit(io, std::chrono::seconds(60));
  limit.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  while (done < conns.size() && !io.stopped()) io.run_one();
  if (g_read_errors > 0) {
    std::printf("  (%s: %zu connections ended early, first: %s)\n",
                hotplex ? "hotplexd" : "websocketd", g_read_errors, g_first_error.c_str());
  }
  if (conns.size() < static_cast<std::size_t>(n)) {
    std::printf("  (only %zu of %d connections opened)\n", conns.size(), n);
  }
  return latencies;
}

std::vector<double> HotplexLatency(int n, const Load& load, const std::string& dir) {
  auto backend = sandbox::MakeNamespaceBackend();
  if (!backend) {
    std::printf("  hotplexd: FAILED, no namespace backend: %s\n",
                backend.error().Describe().c_str());
    return {};
  }
  const std::string bin = std::string(HOTPLEX_BINARY_DIR) + "/tests/bin";
  sv::DaemonConfig config;
  config.state_dir = dir + "/state";
  config.api = {"127.0.0.1", 0};
  config.admin = {"127.0.0.1", 0};
  config.threads = 2;
  config.claude_command = {bin + "/fake-agent"};
  config.extra_mounts = {{bin, "", sandbox::MountMode::kReadOnly}};
  config.tenants = {{"lat", "bench", {sv::HashApiKey(kKey)}, dir + "/ws", 60000, 60000, 0}};
  OnePolicy policies;
  policies.policy = sv::ToSessionPolicy(*policies::LoadPolicyText(kUncappedPolicy, "bench", ""));
  auto daemon = api::Daemon::Start(config, policies, {{(*backend)->Kind(), backend->get()}});
  if (!daemon) {
    std::printf("  hotplexd: FAILED: %s\n", daemon.error().Describe().c_str());
    return {};
  }
  const int port = (*daemon)->ApiPort();
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    json created = Post(port, kKey, "/v1/sessions", {{"provider", "claude-code"}});
    if (!created.contains("id")) {
      std::printf("  hotplexd: session %d not created: %s\n", i, created.dump().c_str());
      break;
    }
    ids.push_back(created["id"]);
  }
  auto latencies = Drive(static_cast<int>(ids.size()), load, true, [&](Conn& c, int i) {
    if (c.Open(port, "/ws/v1/agent")) return false;
    c.Send(json{{"type", "attach"}, {"session_id", ids[i]}}.dump());
    c.SetPrompt(json{{"type", "prompt"}, {"session_id", ids[i]}, {"text", load.Prompt()}}.dump());
    return true;
  });
  daemon->reset();
  return latencies;
}

bool Listening(int port) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  return !ec;
}

// A loopback port free right now (websocketd cannot report an ephemeral one).
int FreePort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::vector<double> WebsocketdLatency(int n, const Load& load, const std::string& dir) {
  const int port = FreePort();
  std::filesystem::create_directories(dir + "/wsd-home");
  testing::ProcessSpec spec;
  spec.argv = {"/usr/bin/websocketd",
               "--port=" + std::to_string(port),
               "--address=127.0.0.1",
               "--loglevel=error",
               "--maxforks=" + std::to_string(n + 10),
               "--passenv=PATH,HOME",  // by default websocketd passes no HOME
               std::string(HOTPLEX_BINARY_DIR) + "/tests/bin/fake-agent"};
  spec.env = {"PATH=/usr/bin:/bin", "HOME=" + dir + "/wsd-home"};
  spec.stderr_path = dir + "/websocketd.stderr";
  auto proc = testing::PipedProcess::Spawn(spec);
  if (!proc) {
    std::printf("  websocketd: FAILED to start: %s\n", proc.error().Describe().c_str());
    return {};
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!Listening(port) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string prompt =
      json{{"type", "user"}, {"message", {{"role", "user"}, {"content", load.Prompt()}}}}.dump();
  auto latencies = Drive(n, load, false, [&](Conn& c, int) {
    if (c.Open(port, "/")) return false;
    c.SetPrompt(prompt);
    return true;
  });
  proc->Kill(SIGTERM);
  proc->Wait(std::chrono::seconds(5));
  if (latencies.empty()) {
    std::printf("  websocketd: no samples; its stderr:\n%s\n",
                testing::ReadFile(spec.stderr_path).substr(0, 2000).c_str());
  }
  return latencies;
}

void RaiseFdLimit() {
  rlimit lim;
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

void BrokerLatencyVsWebsocketd(const std::vector<int>& sizes) {
  RaiseFdLimit();
  std::printf(
      "broker latency, agent stdout line -> WebSocket client (one connection per session;\n"
      "hotplexd: claude-code provider, fake agent in the namespace backend; websocketd: the\n"
      "same fake agent, one plain process per connection):\n");
  std::printf("  %-9s %-18s %12s %12s %12s %12s %9s\n", "sessions", "rate/session", "hotplex p50",
              "hotplex p99", "wsd p50", "wsd p99", "p99 ratio");
  for (int n : sizes) {
    char tmpl[] = "/tmp/hotplex-bench-lat-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    ::chmod(dir.c_str(), 0711);
    const Load load = LoadFor(n);
    const auto hot = HotplexLatency(n, load, dir);
    const auto wsd = WebsocketdLatency(n, load, dir);
    const double hp99 = Percentile(hot, 0.99), wp99 = Percentile(wsd, 0.99);
    std::printf(
        "  %-9d 1 per %-6.1f ms  %9.3f ms %9.3f ms %9.3f ms %9.3f ms %8.2fx  (samples %zu/%zu)\n",
        n, load.interval_us / 1000.0, Percentile(hot, 0.5) / 1e3, hp99 / 1e3,
        Percentile(wsd, 0.5) / 1e3, wp99 / 1e3, wp99 > 0 ? hp99 / wp99 : 0.0, hot.size(),
        wsd.size());
    std::fflush(stdout);
    std::filesystem::remove_all(dir);
  }
}

}  // namespace hotplex::bench
