// Issue 14 item 7: a tenant's shell talks raw HTTP to its egress proxy
// (127.0.0.1:3128 inside the jail) under a policy that allows '*.example.test',
// 'localhost' and one IP literal '127.0.0.1:<allowed>', and tries to reach what
// the policy does not open: the host's loopback through a NUL byte in the host
// ('localhost\0.example.test' matched the wildcard, then resolved as the C
// string 'localhost'), through a name that resolves to 127.0.0.1, the daemon's
// own API and admin ports, a Host header naming another site (fronting), and a
// pipelined second request to another host. Every one must be refused (or, for
// the last two, never reach the upstream undecided), the victim server must see
// no connection, and the audit must record the refusals with escaped hosts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "host_server.hpp"
#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Prints one line per attempt: "<name>: <status line> | <body>".
constexpr const char* kProbe = R"PY(
import socket, sys
V, A, API, ADMIN = [a.encode() for a in sys.argv[1:5]]
def send(raw):
    s = socket.create_connection(('127.0.0.1', 3128), timeout=5)
    s.sendall(raw)
    out = b''
    try:
        while True:
            b = s.recv(65536)
            if not b: break
            out += b
            if raw.startswith(b'CONNECT') and b'\r\n\r\n' in out: break
    except socket.timeout:
        pass
    s.close()
    return out
def report(name, out):
    head, _, body = out.partition(b'\r\n\r\n')
    line = head.split(b'\r\n')[0].decode('latin-1')
    print('%s: %s | %s' % (name, line, body.decode('latin-1').strip().replace('\n', ' ')[:300]), flush=True)
report('nul-get', send(b'GET http://localhost\x00.example.test:' + V + b'/nul HTTP/1.1\r\nHost: x\r\n\r\n'))
report('nul-connect', send(b'CONNECT localhost\x00.example.test:' + V + b' HTTP/1.1\r\n\r\n'))
report('nul-connect-api', send(b'CONNECT localhost\x00.example.test:' + API + b' HTTP/1.1\r\n\r\n'))
report('nul-get-admin', send(b'GET http://localhost\x00.example.test:' + ADMIN + b'/admin/v1/audit HTTP/1.1\r\n\r\n'))
report('pct-get', send(b'GET http://localhost%00.example.test:' + V + b'/pct HTTP/1.1\r\n\r\n'))
report('name-loopback', send(b'CONNECT localhost:' + V + b' HTTP/1.1\r\n\r\n'))
report('name-loopback-api', send(b'GET http://localhost:' + API + b'/v1/sessions HTTP/1.1\r\n\r\n'))
report('fronting', send(b'GET http://127.0.0.1:' + A + b'/front HTTP/1.1\r\nHost: evil.example.org\r\n\r\n'))
report('pipelined', send(b'GET http://127.0.0.1:' + A + b'/first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
                         b'GET http://evil.example.org/second HTTP/1.1\r\nHost: evil.example.org\r\n\r\n'))
)PY";

// The line of `out` that starts with "<name>: ".
std::string Line(const std::string& out, const std::string& name) {
  const auto at = out.find(name + ": ");
  if (at == std::string::npos) return "(no line for " + name + ")";
  return out.substr(at, out.find('\n', at) - at);
}

// The proxy lives in the supervisor, but each backend wires it into the sandbox
// differently: the namespace backend, and docker (image hotplex/sandbox-test,
// scripts/docker-setup; the listeners go in through /proc/<pid>/ns/net).
class HostileEgress : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
    HostileOptions options;
    options.backend = GetParam();
    if (options.backend == "docker") options.image = "hotplex/sandbox-test";
    options.sandbox_extra =
        "  network:\n    mode: egress\n    allow_domains: ['*.example.test', "
        "localhost, '127.0.0.1:" +
        std::to_string(allowed_.Port()) + "']\n";
    daemon_ = std::make_unique<HostileDaemon>(options);
    auto failed = daemon_->Start();
    ASSERT_FALSE(failed) << *failed;
    Reply why;
    session_ = daemon_->CreateShell("a", "", &why);
    ASSERT_FALSE(session_.empty()) << why.status << " " << why.raw;
  }

  // The session's egress audit records (data objects), once `count` are there.
  std::vector<nlohmann::json> EgressAudit(std::size_t count) {
    std::vector<nlohmann::json> out;
    for (int i = 0; i < 50 && out.size() < count; ++i) {
      out.clear();
      const Reply r =
          daemon_->Admin("GET", "/admin/v1/audit?type=egress&limit=200&session=" + session_);
      for (const auto& e : r.body.value("entries", nlohmann::json::array()))
        out.push_back(e["data"]);
      if (out.size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return out;
  }

  HostServer victim_{"victim"};
  HostServer allowed_{"allowed"};
  std::unique_ptr<HostileDaemon> daemon_;
  std::string session_;
};

TEST_P(HostileEgress, ProxyRefusesBypassesAndForwardsOnlyTheDecidedRequest) {
  const std::string probe = daemon_->WorkspaceOf("a") + "/egress_probe.py";
  std::ofstream(probe) << kProbe;
  ::chmod(probe.c_str(), 0644);
  const auto out =
      daemon_->Sh(session_,
                  "python3 " + probe + " " + std::to_string(victim_.Port()) + " " +
                      std::to_string(allowed_.Port()) + " " + std::to_string(daemon_->ApiPort()) +
                      " " + std::to_string(daemon_->AdminPort()),
                  "a", std::chrono::seconds(60));
  ASSERT_TRUE(out) << "no answer from the shell; daemon stderr:\n" << daemon_->Stderr();
  std::cout << *out << "\n";  // what each attack got, for the log

  for (const char* name : {"nul-get", "nul-connect", "nul-connect-api", "nul-get-admin"}) {
    EXPECT_THAT(Line(*out, name), HasSubstr("400 Bad Request")) << *out;
    EXPECT_THAT(Line(*out, name), HasSubstr("control byte (0x00)"));
  }
  EXPECT_THAT(Line(*out, "pct-get"), HasSubstr("400 Bad Request"));
  for (const char* name : {"name-loopback", "name-loopback-api"}) {
    EXPECT_THAT(Line(*out, name), HasSubstr("403 Forbidden")) << *out;
    EXPECT_THAT(Line(*out, name), HasSubstr("resolves to 127.0.0.1 (loopback)"));
  }
  EXPECT_EQ(victim_.Connections(), 0) << "the victim on the host's loopback was reached";

  // Positive controls through the explicit IP literal; the upstream sees the
  // decided Host and nothing after the first request.
  EXPECT_THAT(Line(*out, "fronting"), HasSubstr("200 OK | allowed GET /front HTTP/1.1"));
  EXPECT_THAT(Line(*out, "pipelined"), HasSubstr("200 OK | allowed GET /first HTTP/1.1"));
  const auto received = allowed_.Received();
  ASSERT_EQ(received.size(), 2u);
  const std::string host = "Host: 127.0.0.1:" + std::to_string(allowed_.Port()) + "\r\n";
  EXPECT_THAT(received[0], HasSubstr(host));
  EXPECT_THAT(received[0], Not(HasSubstr("evil.example.org"))) << "Host header fronting";
  EXPECT_THAT(received[1], Not(HasSubstr("/second"))) << "pipelined request forwarded undecided";
  EXPECT_THAT(received[1], Not(HasSubstr("evil.example.org")));
  // The dropped pipelined request is counted (a daemon of this test's own: from 0).
  EXPECT_THAT(daemon_->Admin("GET", "/metrics").raw,
              ::testing::ContainsRegex("\nhotplex_egress_discarded_bytes_total [1-9]"));

  // Audited: refusals denied with the host escaped, never a raw NUL; only the
  // IP literal allowed.
  const auto records = EgressAudit(9);
  int nul_refusals = 0;
  for (const auto& d : records) {
    const std::string h = d.value("host", "");
    EXPECT_EQ(h.find('\0'), std::string::npos) << d.dump();
    if (d.value("allowed", false)) {
      EXPECT_EQ(h, "127.0.0.1") << d.dump();
    }
    if (h.find("localhost\\x00.example.test") != std::string::npos && !d.value("allowed", true)) {
      ++nul_refusals;
    }
  }
  EXPECT_EQ(nul_refusals, 4) << nlohmann::json(records).dump(1);
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileEgress, ::testing::Values("namespace", "docker"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace hotplex::testing
