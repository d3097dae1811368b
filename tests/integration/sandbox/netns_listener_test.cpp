// A socket made inside a sandbox's network namespace is reachable from the
// sandbox on its own loopback and served from outside (the egress building block).
#include "sandbox/netns_listener.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

TEST_F(SandboxTest, ListenerInSandboxNetnsIsReachableFromInside) {
  // The payload retries until the supervisor-side listener exists, then prints the greeting.
  auto spec = Spec({"python3", "-c",
                    "import socket,time\n"
                    "for i in range(200):\n"
                    "  try:\n"
                    "    s=socket.create_connection(('127.0.0.1',8123)); break\n"
                    "  except OSError: time.sleep(0.02)\n"
                    "print(s.recv(64).decode())\n"});
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  auto listener = ListenInNetworkNamespace(sandbox->Pid(), "127.0.0.1", 8123);
  ASSERT_TRUE(listener) << listener.error().Describe();
  EXPECT_EQ(*BoundPort(listener->Get()), 8123);
  pollfd pfd{listener->Get(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10000), 1);
  const int conn = ::accept4(listener->Get(), nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(conn, 0);
  ASSERT_EQ(::write(conn, "hello from outside", 18), 18);
  ::close(conn);
  const Outcome outcome = sandbox->Wait();
  EXPECT_EQ(outcome.kind, OutcomeKind::kExited) << outcome.Describe();
  EXPECT_EQ(ReadAll(out_fd), "hello from outside\n");
  ::close(out_fd);
}

TEST(NetnsListener, BadInputIsAClearError) {
  auto bad_ip = ListenInNetworkNamespace(::getpid(), "not-an-ip", 0);
  ASSERT_FALSE(bad_ip);
  EXPECT_THAT(bad_ip.error().Describe(), ::testing::HasSubstr("invalid IPv4 address"));
  auto no_pid = ListenInNetworkNamespace(999999999, "127.0.0.1", 0);
  ASSERT_FALSE(no_pid);
  EXPECT_THAT(no_pid.error().Describe(), ::testing::HasSubstr("999999999"));
}

}  // namespace
}  // namespace hotplex::sandbox::testing
