// How docker sandboxes start, end and fail: outcomes, signals, stdin, no
// container left behind, reconcile, and the errors people read.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "docker_harness.hpp"
#include "sandbox/docker/docker_container_spec.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(DockerSandboxTest, StdoutAndStderrAreSeparated) {
  auto r = Run({"/bin/sh", "-c", "echo out; echo err >&2; head -c 200000 /dev/zero | tr '\\0' x"});
  EXPECT_EQ(r.out.substr(0, 4), "out\n");
  EXPECT_EQ(r.out.size(), 4u + 200000u);
  EXPECT_EQ(r.err, "err\n");
}

TEST_F(DockerSandboxTest, StdinReachesPayloadAndEofEndsIt) {
  int in[2], out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  auto spec = Spec({"/bin/sh", "-c", "cat; echo EOF-SEEN"});
  spec.stdio = {in[0], out[1], out[1]};
  auto launched = backend_->Launch(spec);
  ::close(in[0]);
  ::close(out[1]);
  ASSERT_TRUE(launched) << launched.error().Describe();
  ASSERT_EQ(::write(in[1], "hello stdin\n", 12), 12);
  ::close(in[1]);  // EOF must reach cat through the attach half-close
  const std::string got = ReadAll(out[0]);
  ::close(out[0]);
  const Outcome outcome = (*launched)->Wait();
  EXPECT_EQ(got, "hello stdin\nEOF-SEEN\n");
  EXPECT_EQ(outcome.kind, OutcomeKind::kExited);
}

TEST_F(DockerSandboxTest, KillEndsItAndNoContainerSurvives) {
  auto spec = Spec({"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  EXPECT_EQ(CountInstanceContainers(Client()), 1u);
  EXPECT_GT(sandbox->Pid(), 0);
  sandbox->Kill();
  EXPECT_EQ(sandbox->Wait().kind, OutcomeKind::kKilled);
  sandbox.reset();
  ::close(out_fd);
  EXPECT_EQ(CountInstanceContainers(Client()), 0u);
}

TEST_F(DockerSandboxTest, PidFdBecomesReadableWhenTheContainerEnds) {
  int out_fd = -1;
  auto sandbox = Start(Spec({"/bin/sh", "-c", "exit 3"}), &out_fd);
  ASSERT_NE(sandbox, nullptr);
  ASSERT_GE(sandbox->PidFd(), 0);
  pollfd p{sandbox->PidFd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 30000), 1);
  auto outcome = sandbox->Poll();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->code, 3);
  ::close(out_fd);
}

TEST_F(DockerSandboxTest, ContainerCarriesHotplexLabelsAndHardening) {
  auto spec = Spec({"/bin/sleep", "30"});
  spec.id = "labels" + std::to_string(::getpid());
  spec.labels["io.hotplex.tenant"] = "acme";
  spec.labels["io.hotplex.policy"] = "strict";
  int out_fd = -1;
  auto sandbox = Start(spec, &out_fd);
  ASSERT_NE(sandbox, nullptr);
  auto ids = Client().ListByLabel("io.hotplex.session", spec.id);
  ASSERT_TRUE(ids);
  ASSERT_EQ(ids->size(), 1u);
  auto inspect = Client().Request("GET", "/containers/" + ids->front() + "/json");
  ASSERT_TRUE(inspect);
  const auto body = nlohmann::json::parse(inspect->body);
  EXPECT_EQ(body["Config"]["Labels"]["io.hotplex.tenant"], "acme");
  EXPECT_EQ(body["Config"]["Labels"]["io.hotplex.policy"], "strict");
  EXPECT_EQ(body["HostConfig"]["ReadonlyRootfs"], true);
  EXPECT_EQ(body["HostConfig"]["NetworkMode"], "none");
  EXPECT_EQ(body["HostConfig"]["CapDrop"], nlohmann::json::array({"ALL"}));
  EXPECT_EQ(body["HostConfig"]["Init"], true);
  EXPECT_EQ(body["HostConfig"]["Memory"], 256 << 20);
  EXPECT_EQ(body["HostConfig"]["PidsLimit"], 64);
  auto stats = Client().Stats(ids->front());
  ASSERT_TRUE(stats) << stats.error().Describe();
  EXPECT_GT(stats->memory_usage, 0u);
  sandbox->Kill();
  sandbox->Wait();
  ::close(out_fd);
}

TEST_F(DockerSandboxTest, ReconcileRemovesLeftoversOfTheSameInstance) {
  auto spec = Spec({"/bin/sleep", "30"});
  DockerCreateParams params;
  params.image = DockerTestImage();
  params.instance = TestDockerOptions().instance;
  auto body = DockerCreateBody(spec, params);
  ASSERT_TRUE(body) << body.error().Describe();
  auto leftover = Client().CreateContainer(*body, "");  // as if a crashed daemon left it
  ASSERT_TRUE(leftover) << leftover.error().Describe();
  auto restarted = DockerBackend::Create(TestDockerOptions());
  ASSERT_TRUE(restarted) << restarted.error().Describe();
  EXPECT_EQ((*restarted)->ReconciledCount(), 1u);
  EXPECT_EQ(CountInstanceContainers(Client()), 0u);
}

TEST_F(DockerSandboxTest, AbsentImageIsNamedWithHowToBuildIt) {
  auto spec = Spec({"/bin/true"});
  spec.image = "hotplex/no-such-image:never";
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("hotplex/no-such-image:never"));
  EXPECT_THAT(launched.error().Describe(), HasSubstr("images/build"));
}

TEST_F(DockerSandboxTest, CommandNotFoundExits127) {
  auto r = Run(std::vector<std::string>{"no-such-command-xyz"});
  EXPECT_EQ(r.outcome.ShellExitCode(), 127) << r.outcome.Describe() << r.err;
  EXPECT_THAT(r.err, HasSubstr("no-such-command-xyz"));
}

TEST_F(DockerSandboxTest, DockerSocketIsNeverMounted) {
  auto spec = Spec({"/bin/true"});
  spec.mounts.push_back({Client().SocketPath(), "/var/run/docker.sock", MountMode::kReadOnly});
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("docker socket"));
}

TEST(DockerClientErrors, MissingSocketSaysIsDockerdRunning) {
  auto client = DockerClient::Connect("/tmp/hotplex-no-such-docker.sock");
  ASSERT_FALSE(client);
  EXPECT_THAT(client.error().Describe(), HasSubstr("is dockerd running?"));
  EXPECT_EQ(client.error().sys_errno, ENOENT);
}

TEST(DockerClientErrors, NegotiatesApiVersion) {
  auto client = DockerClient::Connect();
  ASSERT_TRUE(client) << client.error().Describe();
  EXPECT_LE(CompareApiVersions(client->ApiVersion(), kMaxApiVersion), 0);
  EXPECT_GE(CompareApiVersions(client->ApiVersion(), kMinApiVersion), 0);
}

}  // namespace
}  // namespace hotplex::sandbox::testing
