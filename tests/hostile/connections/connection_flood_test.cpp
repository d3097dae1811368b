// Issue 14 item 6: a client that opens many connections and sends nothing (or
// half a request line) must not starve other clients or the daemon's
// descriptors; a flood of bad keys must not fill the audit store; idle
// connections are closed after the request timeout. Against the real
// `hotplexd serve`; everything on loopback, the "other client" is 127.0.0.2.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <httplib.h>

#include <cstdlib>
#include <thread>
#include <vector>

#include "tests/hostile/support/hostile_daemon.hpp"
#include "tests/hostile/support/raw_client.hpp"

namespace hotplex::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kFlood = 300;
constexpr int kApiPerIp = 64;
constexpr int kAdminPerIp = 16;

// A binary from before the fix (HOTPLEX_HOSTILE_BINARY, to watch these tests
// fail) refuses the new config keys; it has nothing they could configure.
std::string NewKeys(const std::string& yaml) {
  return std::getenv("HOTPLEX_HOSTILE_BINARY") != nullptr ? "" : yaml;
}

void StartOrFail(HostileDaemon& daemon) {
  ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
  auto failed = daemon.Start();
  ASSERT_FALSE(failed) << *failed;
}

// The daemon had 256 descriptors; the caps must hold it there.
void LimitDaemonFiles(pid_t pid, rlim_t files) {
  const rlimit limit{files, files};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr), 0) << "prlimit: " << errno;
}

// Every auth.failure entry (all pages, bounded).
std::vector<nlohmann::json> AuthFailures(const HostileDaemon& daemon) {
  std::vector<nlohmann::json> out;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    auto reply = daemon.Admin("GET", "/admin/v1/audit?type=auth.failure&limit=1000" +
                                         (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_EQ(reply.status, 200) << reply.raw;
    if (reply.status != 200) break;
    for (const auto& e : reply.body["entries"]) out.push_back(e);
    if (!reply.body["next_cursor"].is_string()) break;
    cursor = reply.body["next_cursor"].get<std::string>();
  }
  return out;
}

struct Tally {
  std::size_t records = 0;
  std::uint64_t failures = 0;  // the sum of `count` (a record without it stands for 1)
};

Tally TallyOf(const std::vector<nlohmann::json>& entries, const std::string& listener) {
  Tally t;
  for (const auto& e : entries) {
    if (e["data"].value("listener", "") != listener) continue;
    ++t.records;
    t.failures += e["data"].value("count", std::uint64_t{1});
  }
  return t;
}

// `n` requests with a wrong key on one keep-alive connection, bounded in time;
// how many were answered 401.
int FailAuth(int port, const std::string& path, int n) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_read_timeout(5, 0);
  const httplib::Headers wrong{{"Authorization", "Bearer not-a-key"}};
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  int refused = 0;
  for (int i = 0; i < n && Clock::now() < deadline; ++i) {
    auto res = client.Get(path, wrong);
    if (res && res->status == 401) ++refused;
  }
  return refused;
}

TEST(HostileConnections, HalfOpenFloodLeavesOtherClientsServedAndFdsBounded) {
  HostileOptions options;
  options.config_extra =
      NewKeys("http:\n  max_connections_per_ip: " + std::to_string(kApiPerIp) +
              "\n  admin_max_connections_per_ip: " + std::to_string(kAdminPerIp) + "\n");
  HostileDaemon daemon(options);
  ASSERT_NO_FATAL_FAILURE(StartOrFail(daemon));
  ASSERT_NO_FATAL_FAILURE(LimitDaemonFiles(daemon.Pid(), 256));
  const int baseline = daemon.OpenFds();
  std::vector<UniqueFd> flood;
  for (int i = 0; i < kFlood; ++i) {
    for (int port : {daemon.ApiPort(), daemon.AdminPort()}) {
      UniqueFd fd = ConnectFrom("127.0.0.1", port);
      ASSERT_TRUE(fd) << "connect " << i;
      if (i % 2 == 1) SendAll(fd.Get(), "GET /v1/sessions HT");  // half a request line
      flood.push_back(std::move(fd));
    }
  }
  std::this_thread::sleep_for(milliseconds(500));  // the daemon accepts what it will

  const auto start = Clock::now();
  const std::string api = RawGet("127.0.0.2", daemon.ApiPort(), "/v1/sessions",
                                 HostileDaemon::kKeyA, milliseconds(3000));
  const std::string admin = RawGet("127.0.0.2", daemon.AdminPort(), "/admin/v1/stats",
                                   daemon.AdminToken(), milliseconds(3000));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  const int fds = daemon.OpenFds();
  std::printf("flood of %d x 2: other client's API %d + admin %d in %lld ms; fds %d -> %d\n",
              kFlood, StatusOf(api), StatusOf(admin), static_cast<long long>(took.count()),
              baseline, fds);
  EXPECT_EQ(StatusOf(api), 200) << api;
  EXPECT_EQ(StatusOf(admin), 200) << admin;
  EXPECT_LT(took.count(), 3000);
  EXPECT_LE(fds, baseline + kApiPerIp + kAdminPerIp + 16) << "the flood's sockets are held";

  // One more from the flooding address is refused at once, with a reason.
  const std::string more = RawGet("127.0.0.1", daemon.ApiPort(), "/v1/sessions",
                                  HostileDaemon::kKeyA, milliseconds(2000));
  EXPECT_TRUE(StatusOf(more) == 429 || more.empty()) << more;
  flood.clear();
  std::this_thread::sleep_for(milliseconds(300));  // the daemon sees the closes
  auto metrics = daemon.Admin("GET", "/metrics");
  EXPECT_NE(metrics.raw.find(
                "hotplex_connections_refused_total{listener=\"api\",reason=\"address_full\"}"),
            std::string::npos)
      << "no refusal counted in /metrics (status " << metrics.status << ")";
  EXPECT_EQ(daemon.Call("GET", "/v1/sessions").status, 200);
}

TEST(HostileConnections, AuthFailureFloodMakesAHandfulOfAggregatedRecords) {
  constexpr int kFailures = 3000;
  HostileOptions options;
  options.config_extra = NewKeys("audit:\n  auth_failure_window: 2s\n");
  HostileDaemon daemon(options);
  ASSERT_NO_FATAL_FAILURE(StartOrFail(daemon));
  const auto start = Clock::now();
  const int api = FailAuth(daemon.ApiPort(), "/v1/sessions", kFailures);
  const int admin = FailAuth(daemon.AdminPort(), "/admin/v1/stats", kFailures);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  ASSERT_EQ(api, kFailures);
  ASSERT_EQ(admin, kFailures);
  // The last windows close within a window and a flush period.
  Tally api_tally, admin_tally;
  for (int i = 0; i < 40; ++i) {
    const auto entries = AuthFailures(daemon);
    api_tally = TallyOf(entries, "api");
    admin_tally = TallyOf(entries, "admin");
    if (api_tally.failures >= kFailures && admin_tally.failures >= kFailures) break;
    std::this_thread::sleep_for(milliseconds(250));
  }
  std::printf("%d + %d failures in %lld ms: api %zu records (count %llu), admin %zu (count %llu)\n",
              api, admin, static_cast<long long>(took.count()), api_tally.records,
              static_cast<unsigned long long>(api_tally.failures), admin_tally.records,
              static_cast<unsigned long long>(admin_tally.failures));
  // One immediate record, then one per 2 s window the flood spanned.
  const std::size_t bound = 3 + static_cast<std::size_t>(took.count() / 2000);
  EXPECT_EQ(api_tally.failures, static_cast<std::uint64_t>(kFailures)) << "tenant API failures";
  EXPECT_EQ(admin_tally.failures, static_cast<std::uint64_t>(kFailures));
  EXPECT_GE(api_tally.records, 1u);
  EXPECT_LE(api_tally.records, bound);
  EXPECT_LE(admin_tally.records, bound);
  EXPECT_EQ(daemon.Call("GET", "/v1/sessions").status, 200);
  EXPECT_EQ(daemon.Admin("GET", "/admin/v1/audit/verify").body.value("ok", false), true);
}

TEST(HostileConnections, IdleConnectionsCloseAfterTheRequestTimeoutAndFreeTheirSlots) {
  constexpr int kPerIp = 8;
  HostileOptions options;
  options.config_extra =
      "http:\n  request_timeout: 2s\n" +
      NewKeys("  max_connections_per_ip: " + std::to_string(kPerIp) +
              "\n  admin_max_connections_per_ip: " + std::to_string(kPerIp) + "\n");
  HostileDaemon daemon(options);
  ASSERT_NO_FATAL_FAILURE(StartOrFail(daemon));
  std::vector<UniqueFd> idle;
  for (int i = 0; i < kPerIp; ++i) {
    for (int port : {daemon.ApiPort(), daemon.AdminPort()}) {
      idle.push_back(ConnectFrom("127.0.0.1", port));
      ASSERT_TRUE(idle.back());
      if (i % 2 == 1) SendAll(idle.back().Get(), "GET /v1/sessions HTTP/1.1\r\nHost: x\r\n");
    }
  }
  std::this_thread::sleep_for(milliseconds(200));
  // The cap is reached: one more from this address is turned away at once.
  const std::string refused = RawGet("127.0.0.1", daemon.ApiPort(), "/v1/sessions",
                                     HostileDaemon::kKeyA, milliseconds(1000));
  EXPECT_TRUE(StatusOf(refused) == 429 || refused.empty()) << refused;
  const auto start = Clock::now();
  for (auto& fd : idle) EXPECT_TRUE(ClosedWithin(fd.Get(), milliseconds(5000)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  std::printf("%zu idle connections closed by the daemon after %lld ms\n", idle.size(),
              static_cast<long long>(took.count()));
  EXPECT_GE(took.count(), 1000);  // the deadline, not the cap, closed them
  // Their slots came back: the same address is served again.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(daemon.Call("GET", "/v1/sessions").status, 200);
  EXPECT_EQ(daemon.Admin("GET", "/admin/v1/stats").status, 200);
}

// The admin listener over TLS: a client that connects and never sends its
// hello is cut off after request_timeout like a silent HTTP client, and one
// over the per-address cap is closed at once (no plain-text answer on TLS).
TEST(HostileConnections, SilentTlsClientsOnTheAdminListenerAreCappedAndTimedOut) {
  constexpr int kPerIp = 8;
  TempDir certs("hotplex-conn-tls");
  const std::string cert = certs.Path() + "/admin.crt";
  const std::string key = certs.Path() + "/admin.key";
  const std::string openssl =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(openssl.c_str()), 0) << "openssl CLI missing or failed: " << openssl;
  HostileOptions options;
  options.config_extra =
      "admin_tls:\n  cert: " + cert + "\n  key: " + key + "\nhttp:\n  request_timeout: 2s\n" +
      NewKeys("  admin_max_connections_per_ip: " + std::to_string(kPerIp) + "\n");
  HostileDaemon daemon(options);
  ASSERT_NO_FATAL_FAILURE(StartOrFail(daemon));
  std::vector<UniqueFd> silent;
  for (int i = 0; i < kPerIp; ++i) {
    silent.push_back(ConnectFrom("127.0.0.1", daemon.AdminPort()));
    ASSERT_TRUE(silent.back());
  }
  std::this_thread::sleep_for(milliseconds(200));
  UniqueFd over = ConnectFrom("127.0.0.1", daemon.AdminPort());
  ASSERT_TRUE(over);
  EXPECT_TRUE(ClosedWithin(over.Get(), milliseconds(1000))) << "over the cap: not closed at once";
  const auto start = Clock::now();
  for (auto& fd : silent) EXPECT_TRUE(ClosedWithin(fd.Get(), milliseconds(6000)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  std::printf("%d silent TLS clients closed after %lld ms\n", kPerIp,
              static_cast<long long>(took.count()));
  EXPECT_LT(took.count(), 4000) << "the handshake deadline is not request_timeout";
  httplib::SSLClient client("127.0.0.1", daemon.AdminPort());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(3, 0);
  client.set_read_timeout(3, 0);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace hotplex::testing
