// Docker reconcile: adopt — a container outlives the backend that launched it
// (Detach, as when a daemon dies or stops with shutdown: detach) and a new
// backend of the same instance takes it back (Reattach), or removes it when it
// cannot be trusted: it wrote output nobody read, its labels or image no longer
// match, it already ended, or nobody claims it.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "docker_harness.hpp"
#include "sandbox/docker/docker_container_spec.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// Numbers each stdin line: "<n> <line>". The count proves it is the same process.
const std::vector<std::string> kCounter = {
    "/bin/sh", "-c", "n=0; while read -r l; do n=$((n+1)); echo \"$n $l\"; done"};

DockerOptions AdoptOptions() {
  DockerOptions options = TestDockerOptions();
  options.reconcile = DockerReconcile::kAdopt;
  return options;
}

// One end of the caller's stdio: we write `in`, read `out`.
struct Stdio {
  UniqueFd in_write, out_read;
  UniqueFd in_read, out_write;  // the sandbox's ends, passed in the spec
};

Stdio MakeStdio() {
  int in[2], out[2];
  EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  return Stdio{UniqueFd(in[1]), UniqueFd(out[0]), UniqueFd(in[0]), UniqueFd(out[1])};
}

void Wire(SandboxSpec& spec, const Stdio& io) {
  spec.stdio = {io.in_read.Get(), io.out_write.Get(), io.out_write.Get()};
}

SandboxSpec Wired(SandboxSpec spec, const Stdio& io) {
  Wire(spec, io);
  return spec;
}

// Writes a line, reads one line back (bounded).
std::string Ask(Stdio& io, const std::string& line) {
  const std::string text = line + "\n";
  EXPECT_EQ(::write(io.in_write.Get(), text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  std::string got;
  char c;
  while (got.empty() || got.back() != '\n') {
    pollfd p{io.out_read.Get(), POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1 || ::read(io.out_read.Get(), &c, 1) != 1) break;
    got += c;
  }
  return got;
}

class DockerAdoptTest : public DockerSandboxTest {
 protected:
  void SetUp() override {
    DockerSandboxTest::SetUp();
    if (HasFatalFailure()) return;
    auto backend = DockerBackend::Create(AdoptOptions());
    ASSERT_TRUE(backend) << backend.error().Describe();
    first_ = std::move(*backend);
  }
  void TearDown() override {
    // Whatever a test left (detached containers): removed, like DiscardUnclaimed.
    if (auto ids = Client().ListByLabel(kLabelInstance, TestDockerOptions().instance)) {
      for (const auto& id : *ids) (void)Client().Remove(id);
    }
    DockerSandboxTest::TearDown();
  }

  SandboxSpec AdoptSpec(const std::string& id) const {
    SandboxSpec spec = Spec(kCounter);
    spec.id = id + std::to_string(::getpid());
    spec.labels = {{"io.hotplex.tenant", "acme"}, {"io.hotplex.policy", "default"}};
    return spec;
  }

  // Launches the counter with the first backend, sees it answer, detaches it.
  void LaunchAndDetach(const SandboxSpec& spec) {
    Stdio io = MakeStdio();
    SandboxSpec wired = spec;
    Wire(wired, io);
    auto box = first_->Launch(wired);
    ASSERT_TRUE(box) << box.error().Describe();
    EXPECT_EQ(Ask(io, "one"), "1 one\n");
    ASSERT_TRUE((*box)->Detach());
    box->reset();
    detached_at_ = Clock::now();
  }

  // The next supervisor run's backend: at Create it keeps the adoptable leftovers.
  static std::unique_ptr<DockerBackend> Restart() {
    auto backend = DockerBackend::Create(AdoptOptions());
    EXPECT_TRUE(backend) << backend.error().Describe();
    return backend ? std::move(*backend) : nullptr;
  }

  std::unique_ptr<DockerBackend> first_;
  Clock::time_point detached_at_;
};

TEST_F(DockerAdoptTest, ADetachedContainerRunsOnAndANewBackendTakesItBack) {
  const SandboxSpec spec = AdoptSpec("adopt");
  LaunchAndDetach(spec);
  ASSERT_FALSE(HasFatalFailure());
  first_.reset();  // the "daemon" is gone
  auto ids = Client().ListByLabel(kLabelSession, spec.id);
  ASSERT_TRUE(ids);
  ASSERT_EQ(ids->size(), 1u);
  auto state = Client().Inspect(ids->front());
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->running) << "a detached container must outlive its backend";

  auto restarted = Restart();
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->AdoptableCount(), 1u);
  EXPECT_EQ(restarted->ReconciledCount(), 0u);
  Stdio io = MakeStdio();
  auto box = restarted->Reattach(Wired(spec, io), detached_at_);
  ASSERT_TRUE(box) << box.error().Describe();
  EXPECT_EQ(Ask(io, "two"), "2 two\n") << "the same process, its state intact, our stdio";
  EXPECT_EQ((*box)->Pid(), state->pid);
  EXPECT_EQ(restarted->ReattachedCount(), 1u);
  EXPECT_EQ(restarted->DiscardUnclaimed(), 0u);
  (*box)->Kill();
  EXPECT_EQ((*box)->Wait().kind, OutcomeKind::kKilled);
  box->reset();
  EXPECT_EQ(CountInstanceContainers(Client()), 0u) << "an adopted sandbox is owned again";
}

TEST_F(DockerAdoptTest, OutputNobodyReadRefusesTheContainerAndRemovesIt) {
  SandboxSpec spec = AdoptSpec("late");
  spec.argv = {"/bin/sh", "-c", "read -r l; echo \"1 $l\"; sleep 1; echo late; exec cat"};
  LaunchAndDetach(spec);
  ASSERT_FALSE(HasFatalFailure());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // "late" goes to the log only
  auto restarted = Restart();
  ASSERT_TRUE(restarted);
  Stdio io = MakeStdio();
  Wire(spec, io);
  auto box = restarted->Reattach(spec, detached_at_);
  ASSERT_FALSE(box);
  EXPECT_THAT(box.error().Describe(), HasSubstr("wrote output while no supervisor was attached"));
  EXPECT_EQ(CountInstanceContainers(Client()), 0u) << "a refused container is removed";
}

TEST_F(DockerAdoptTest, QuietSinceIsTheLastOutputRead) {
  // The same container, judged from just before its last line: that line counts.
  const SandboxSpec spec = AdoptSpec("quiet");
  const auto before = Clock::now() - std::chrono::seconds(30);
  LaunchAndDetach(spec);
  ASSERT_FALSE(HasFatalFailure());
  auto restarted = Restart();
  ASSERT_TRUE(restarted);
  Stdio io = MakeStdio();
  auto box = restarted->Reattach(Wired(spec, io), before);
  ASSERT_FALSE(box) << "its '1 one' came after `before`";
}

TEST_F(DockerAdoptTest, TheLastLineReadIsNotOutputNobodyRead) {
  // Its newest line is inside the window, but it is the one the caller read
  // (same digest): taken back. Another digest: refused.
  const SandboxSpec spec = AdoptSpec("digest");
  const auto before = Clock::now() - std::chrono::seconds(30);
  LaunchAndDetach(spec);
  ASSERT_FALSE(HasFatalFailure());
  SandboxSpec other = AdoptSpec("digest2");
  LaunchAndDetach(other);
  ASSERT_FALSE(HasFatalFailure());
  auto restarted = Restart();
  ASSERT_TRUE(restarted);
  Stdio io = MakeStdio();
  auto box = restarted->Reattach(Wired(spec, io), before, OutputLineDigest("1 one"));
  ASSERT_TRUE(box) << box.error().Describe();
  EXPECT_EQ(Ask(io, "two"), "2 two\n");
  Wire(other, io);
  auto refused = restarted->Reattach(other, before, OutputLineDigest("1 once"));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().Describe(), HasSubstr("wrote output while no supervisor"));
}

TEST_F(DockerAdoptTest, ChangedLabelsOrImageAreRefused) {
  const SandboxSpec a = AdoptSpec("tenant");
  LaunchAndDetach(a);
  ASSERT_FALSE(HasFatalFailure());
  SandboxSpec b = AdoptSpec("image");
  LaunchAndDetach(b);
  ASSERT_FALSE(HasFatalFailure());
  auto restarted = Restart();
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->AdoptableCount(), 2u);
  Stdio io = MakeStdio();
  SandboxSpec other_tenant = a;
  other_tenant.labels["io.hotplex.tenant"] = "globex";
  Wire(other_tenant, io);
  auto refused = restarted->Reattach(other_tenant, Clock::now());
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().Describe(),
              HasSubstr("has io.hotplex.tenant=acme, the session now needs globex"));
  SandboxSpec other_image = b;
  other_image.image = "hotplex/sandbox-base";
  Wire(other_image, io);
  auto refused_image = restarted->Reattach(other_image, Clock::now());
  ASSERT_FALSE(refused_image);
  EXPECT_THAT(refused_image.error().Describe(),
              HasSubstr("the policy now names hotplex/sandbox-base"));
  EXPECT_EQ(CountInstanceContainers(Client()), 0u);
  auto twice = restarted->Reattach(a, Clock::now());
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().Describe(), HasSubstr("no running container of sandbox"));
}

TEST_F(DockerAdoptTest, EndedAndUnclaimedContainersAreRemoved) {
  SandboxSpec ends = AdoptSpec("ends");
  ends.argv = {"/bin/sh", "-c", "read -r l; echo \"1 $l\"; exit 0"};
  LaunchAndDetach(ends);
  ASSERT_FALSE(HasFatalFailure());
  LaunchAndDetach(AdoptSpec("unclaimed"));
  ASSERT_FALSE(HasFatalFailure());
  // The ended one has exited by now; it is not kept for adoption.
  auto ended = Client().ListByLabel(kLabelSession, ends.id);
  ASSERT_TRUE(ended);
  ASSERT_EQ(ended->size(), 1u);
  for (int i = 0; i < 100; ++i) {
    auto state = Client().Inspect(ended->front());
    if (state && !state->running) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto restarted = Restart();
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->ReconciledCount(), 1u) << "the ended container";
  EXPECT_EQ(restarted->AdoptableCount(), 1u);
  EXPECT_EQ(restarted->DiscardUnclaimed(), 1u);
  EXPECT_EQ(CountInstanceContainers(Client()), 0u);
}

TEST_F(DockerAdoptTest, RemoveModeNeitherDetachesNorReattaches) {
  Stdio io = MakeStdio();
  SandboxSpec spec = AdoptSpec("remove");
  Wire(spec, io);
  auto box = backend_->Launch(spec);  // the harness backend: reconcile remove
  ASSERT_TRUE(box) << box.error().Describe();
  EXPECT_FALSE(backend_->CanReattach());
  EXPECT_FALSE((*box)->Detach());
  box->reset();
  EXPECT_EQ(CountInstanceContainers(Client()), 0u) << "not detached: removed with its owner";
  EXPECT_FALSE(backend_->Reattach(spec, Clock::now()));
}

TEST_F(DockerAdoptTest, AdoptableContainersKeepStdinOpenAcrossAttachments) {
  const SandboxSpec spec = AdoptSpec("stdin");
  LaunchAndDetach(spec);
  ASSERT_FALSE(HasFatalFailure());
  auto ids = Client().ListByLabel(kLabelSession, spec.id);
  ASSERT_TRUE(ids);
  ASSERT_EQ(ids->size(), 1u);
  auto inspect = Client().Request("GET", "/containers/" + ids->front() + "/json");
  ASSERT_TRUE(inspect);
  const auto body = nlohmann::json::parse(inspect->body);
  EXPECT_EQ(body["Config"]["StdinOnce"], false);
  EXPECT_EQ(body["Config"]["Labels"][kLabelAdoptable], "true");
  EXPECT_EQ(body["HostConfig"]["LogConfig"]["Type"], "json-file");
  EXPECT_EQ(body["HostConfig"]["LogConfig"]["Config"]["max-size"], kLogMaxSize);
}

}  // namespace
}  // namespace hotplex::sandbox::testing
