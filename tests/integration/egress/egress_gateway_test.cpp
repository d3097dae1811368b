// EgressGateway serving a real sandbox of each backend (namespace, and docker
// with the hotplex/sandbox-test image): the payload (python3) uses the proxy
// and a forward from its first instruction (the listeners are installed by
// SandboxSpec::network_ready before it starts), gets 403/502 with
// explanations, has no direct route out, and nothing is left once it ended.
#include "supervisor/egress/egress_gateway.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "docker_harness.hpp"
#include "host_server.hpp"
#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using supervisor::EgressConfig;
using supervisor::EgressDecision;
using supervisor::EgressGateway;

constexpr const char* kClient = R"PY(
import socket, sys, urllib.request
P, F, D = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def read_all(s):
    out = b''
    while True:
        b = s.recv(65536)
        if not b: return out.decode()
        out += b
def body(r): return r.split('\r\n\r\n', 1)[1].strip()
def proxy(target):
    s = socket.create_connection(('127.0.0.1', 3128), timeout=10)
    s.sendall(('CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n' % (target, target)).encode())
    return s
opener = urllib.request.build_opener(urllib.request.ProxyHandler({'http': 'http://127.0.0.1:3128'}))
print('plain:', opener.open('http://127.0.0.1:%d/plain' % P, timeout=10).read().decode())
s = proxy('127.0.0.1:%d' % P)
head = b''
while b'\r\n\r\n' not in head: head += s.recv(1)
print('connect:', head.split(b'\r\n')[0].decode())
s.sendall(b'GET /tunnel HTTP/1.1\r\nHost: x\r\n\r\n')
print('tunnel:', body(read_all(s)))
r = read_all(proxy('example.org:443'))
print('denied:', r.split('\r\n')[0], '|', body(r))
r = read_all(proxy('secret.example.com:443'))
print('denylist:', r.split('\r\n')[0], '|', body(r))
s = socket.create_connection(('127.0.0.1', F), timeout=10)
s.sendall(b'GET /forward HTTP/1.1\r\n\r\n')
print('forward:', body(read_all(s)))
print('dead:', read_all(proxy('127.0.0.1:%d' % D)).split('\r\n')[0])
for host, port in (('127.0.0.1', P), ('10.1.2.3', 80)):
    try:
        socket.create_connection((host, port), timeout=3)
        print('direct:', host, 'connected')
    except OSError as e:
        print('direct:', host, e.errno)
)PY";

template <class Harness>
class EgressGatewayTest : public Harness {
 protected:
  void SetUp() override {
    Harness::SetUp();
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();  // a failed test may leave a gateway accepting
    runner_.join();
    Harness::TearDown();
  }

  std::shared_ptr<EgressGateway> MakeGateway(std::vector<std::string> allow,
                                             std::vector<std::string> deny,
                                             std::vector<std::string> forwards) {
    const policies::NetworkSpec network{policies::NetworkMode::kEgress, std::move(allow),
                                        std::move(deny), std::move(forwards)};
    auto config = supervisor::MakeEgressConfig(network);
    EXPECT_TRUE(config) << config.error().Describe();
    config->on_decision = [this](const EgressDecision& d) {
      std::lock_guard lock(mu_);
      decisions_.push_back(d);
    };
    return EgressGateway::Create(io_, std::move(*config));
  }

  // Waits until every listener and tunnel of every gateway is closed.
  static bool AllSocketsClosed() {
    for (int i = 0; i < 200 && EgressGateway::LiveSockets() != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return EgressGateway::LiveSockets() == 0;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread runner_;
  std::mutex mu_;
  std::vector<EgressDecision> decisions_;
};

using Backends = ::testing::Types<SandboxTest, DockerSandboxTest>;
TYPED_TEST_SUITE(EgressGatewayTest, Backends);

TYPED_TEST(EgressGatewayTest, ProxyForwardsDenialsAndNoDirectRoute) {
  hotplex::testing::HostServer allowed("allowed-server");
  hotplex::testing::HostServer forwarded("forward-server");
  const std::uint16_t dead = hotplex::testing::UnusedPort();
  const std::string p = std::to_string(allowed.Port());
  const std::string d = std::to_string(dead);
  const std::string f = std::to_string(forwarded.Port());
  auto gateway = this->MakeGateway({"127.0.0.1:" + p, "127.0.0.1:" + d, "*.example.com"},
                                   {"secret.example.com"}, {"127.0.0.1:" + f});
  auto spec = this->Spec({"python3", "-c", kClient, p, f, d});
  spec.network = NetworkMode::kLoopback;
  spec.network_ready = [gateway](pid_t pid) { return gateway->Install(pid); };
  const RunResult r = this->Run(spec);
  ExpectExit0(r);
  EXPECT_THAT(r.out, ::testing::HasSubstr("plain: allowed-server GET /plain HTTP/1.1\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("connect: HTTP/1.1 200 Connection Established\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("tunnel: allowed-server GET /tunnel HTTP/1.1\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr(
                         "denied: HTTP/1.1 403 Forbidden | hotplex egress: example.org:443 is "
                         "not in the policy's network.allow_domains\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr(
                         "denylist: HTTP/1.1 403 Forbidden | hotplex egress: "
                         "secret.example.com:443 matches 'secret.example.com' in the policy's "
                         "network.deny_domains\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("forward: forward-server GET /forward HTTP/1.1\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("dead: HTTP/1.1 502 Bad Gateway\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("direct: 127.0.0.1 111\n"));  // ECONNREFUSED
  EXPECT_THAT(r.out, ::testing::HasSubstr("direct: 10.1.2.3 101\n"));   // ENETUNREACH
  EXPECT_EQ(allowed.Connections(), 2);
  EXPECT_EQ(forwarded.Connections(), 1);

  gateway->Close();
  EXPECT_TRUE(this->AllSocketsClosed()) << EgressGateway::LiveSockets() << " sockets left";
  std::lock_guard lock(this->mu_);
  int denied = 0, allowed_decisions = 0;
  for (const auto& decision : this->decisions_) (decision.allowed ? allowed_decisions : denied)++;
  EXPECT_EQ(denied, 2);
  EXPECT_EQ(allowed_decisions, 4);  // plain, tunnel, forward, dead
}

TYPED_TEST(EgressGatewayTest, ClosingTheGatewayEndsOpenTunnels) {
  hotplex::testing::HostServer forwarded("forward-server");
  const std::string f = std::to_string(forwarded.Port());
  auto gateway = this->MakeGateway({}, {}, {"127.0.0.1:" + f});
  // The payload holds a proxy connection open (an unfinished head) and waits to
  // be cut off; it prints what recv returned.
  auto spec = this->Spec({"python3", "-c",
                          "import socket\n"
                          "s = socket.create_connection(('127.0.0.1', 3128))\n"
                          "s.sendall(b'CONNECT 127.0.0.1:1 HTTP/1.1\\r\\n')\n"
                          "print('ready', flush=True)\n"
                          "print('closed', repr(s.recv(100)), flush=True)\n"});
  spec.network = NetworkMode::kLoopback;
  spec.network_ready = [gateway](pid_t pid) { return gateway->Install(pid); };
  int out_fd = -1;
  auto sandbox = this->Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  for (int i = 0; i < 500 && gateway->OpenTunnels() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(gateway->OpenTunnels(), 1u);
  gateway->Close();
  const Outcome outcome = sandbox->Wait();
  EXPECT_EQ(outcome.kind, OutcomeKind::kExited) << outcome.Describe();
  EXPECT_EQ(ReadAll(out_fd), "ready\nclosed b''\n");
  ::close(out_fd);
  EXPECT_TRUE(this->AllSocketsClosed());
}

TYPED_TEST(EgressGatewayTest, InstallFailureAbortsTheLaunch) {
  // Two gateways on one sandbox: the second cannot bind the proxy port again.
  auto first = this->MakeGateway({}, {}, {});
  auto second = this->MakeGateway({}, {}, {});
  auto spec = this->Spec({"true"});
  spec.network = NetworkMode::kLoopback;
  spec.network_ready = [&](pid_t pid) -> Status {
    HOTPLEX_TRY_STATUS(first->Install(pid));
    return second->Install(pid);
  };
  auto launched = this->backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(),
              ::testing::HasSubstr("bind in sandbox network namespace"));
  first->Close();
  second->Close();
  first.reset();
  second.reset();
  EXPECT_TRUE(this->AllSocketsClosed());
}

TYPED_TEST(EgressGatewayTest, HostNetworkWithAHookIsRefused) {
  auto spec = this->Spec({"true"});
  spec.network = NetworkMode::kHost;
  spec.network_ready = [](pid_t) -> Status { return {}; };
  auto launched = this->backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), ::testing::HasSubstr("own network namespace"));
}

// docker reconcile: adopt. The listeners in a container's network namespace
// belong to the supervisor that installed them; after it is gone, the one that
// reattaches installs its own (DockerBackend::Reattach runs the same hook).
class DockerEgressAdoptTest : public EgressGatewayTest<DockerSandboxTest> {};

// One forward request per stdin line, its answer on stdout.
constexpr const char* kForwardPerLine = R"PY(
import socket, sys
F = int(sys.argv[1])
while sys.stdin.readline():
    s = socket.create_connection(('127.0.0.1', F), timeout=10)
    s.sendall(b'GET /forward HTTP/1.1\r\n\r\n')
    out = b''
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
    print('forward:', out.decode().split('\r\n\r\n', 1)[1].strip(), flush=True)
)PY";

std::string AskLine(int in, int out) {
  EXPECT_EQ(::write(in, "go\n", 3), 3);
  std::string got;
  char c;
  while (got.empty() || got.back() != '\n') {
    pollfd p{out, POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1 || ::read(out, &c, 1) != 1) break;
    got += c;
  }
  return got;
}

TEST_F(DockerEgressAdoptTest, AReattachedContainerGetsTheNewSupervisorsListeners) {
  hotplex::testing::HostServer forwarded("forward-server");
  const std::string f = std::to_string(forwarded.Port());
  DockerOptions options = TestDockerOptions();
  options.reconcile = DockerReconcile::kAdopt;
  auto first = DockerBackend::Create(options);
  ASSERT_TRUE(first) << first.error().Describe();
  auto spec = Spec({"python3", "-c", kForwardPerLine, f});
  spec.id = "egress" + std::to_string(::getpid());
  spec.network = NetworkMode::kLoopback;
  int in[2], out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  spec.stdio = {in[0], out[1], out[1]};
  auto gateway = MakeGateway({}, {}, {"127.0.0.1:" + f});
  spec.network_ready = [gateway](pid_t pid) { return gateway->Install(pid); };
  auto box = (*first)->Launch(spec);
  ASSERT_TRUE(box) << box.error().Describe();
  EXPECT_EQ(AskLine(in[1], out[0]), "forward: forward-server GET /forward HTTP/1.1\n");
  const auto quiet_since = std::chrono::system_clock::now();
  ASSERT_TRUE((*box)->Detach());
  box->reset();
  gateway->Close();  // the first supervisor is gone, and its listeners with it
  first->reset();
  ASSERT_TRUE(AllSocketsClosed());

  auto second = DockerBackend::Create(options);
  ASSERT_TRUE(second) << second.error().Describe();
  auto gateway2 = MakeGateway({}, {}, {"127.0.0.1:" + f});
  spec.network_ready = [gateway2](pid_t pid) { return gateway2->Install(pid); };
  auto again = (*second)->Reattach(spec, quiet_since);
  ASSERT_TRUE(again) << again.error().Describe();
  EXPECT_EQ(AskLine(in[1], out[0]), "forward: forward-server GET /forward HTTP/1.1\n");
  EXPECT_EQ(forwarded.Connections(), 2);
  (*again)->Kill();
  (*again)->Wait();
  again->reset();
  gateway2->Close();
  for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
  EXPECT_TRUE(AllSocketsClosed());
  EXPECT_EQ(CountInstanceContainers(Client()), 0u);
}

}  // namespace
}  // namespace hotplex::sandbox::testing
