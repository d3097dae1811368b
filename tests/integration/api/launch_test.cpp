// Sandbox launches run on the SessionManager's Launcher, not on the I/O
// threads: with ONE I/O thread and a launch held inside the backend, other
// requests are still answered, and a session deleted during its launch ends
// up deleted with no agent left behind.
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "supervisor/agent_process.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/api/spawn_backend.hpp"

namespace hotplex::testing {
namespace {

using namespace std::chrono_literals;

// SpawnBackend whose launches wait (bounded) until the test opens the gate.
class GatedBackend final : public sandbox::Backend {
 public:
  sandbox::BackendKind Kind() const override { return inner_->Kind(); }
  Result<std::unique_ptr<sandbox::Sandbox>> Launch(const sandbox::SandboxSpec& spec) override {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait_for(lock, 20s, [this] { return open_; });
    --waiting_;
    lock.unlock();
    return inner_->Launch(spec);
  }
  // Waits until a launch is held in the gate.
  bool WaitHeld(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [this] { return waiting_ > 0; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::unique_ptr<sandbox::Backend> inner_ = MakeSpawnBackend();
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

class ApiLaunch : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    StopDaemon();
    config_.threads = 1;  // a create that held it would stall every other request
    auto gated = std::make_unique<GatedBackend>();
    gate_ = gated.get();
    backend_ = std::move(gated);
    StartDaemon();
  }
  void TearDown() override {
    gate_->Open();
    ApiFixture::TearDown();
  }

  // Starts a create on a client thread; it blocks until the gate opens.
  std::future<HttpResult> CreateInBackground() {
    const json request = {{"provider", "exec"}, {"argv", {"/bin/cat"}}};
    return std::async(std::launch::async,
                      [this, request] { return Call("POST", "/v1/sessions", request.dump()); });
  }

  GatedBackend* gate_ = nullptr;
};

TEST_F(ApiLaunch, AnotherRequestIsAnsweredWhileALaunchIsHeld) {
  auto created = CreateInBackground();
  ASSERT_TRUE(gate_->WaitHeld(10s)) << "the create never reached the backend";
  const auto started = std::chrono::steady_clock::now();
  auto list = Call("GET", "/v1/sessions");
  EXPECT_EQ(list.status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s)
      << "the only I/O thread waited for the launch";
  ASSERT_EQ(list.body["sessions"].size(), 1u) << list.body.dump();
  EXPECT_EQ(list.body["sessions"][0]["state"], "starting");
  EXPECT_EQ(created.wait_for(0s), std::future_status::timeout);
  gate_->Open();
  ASSERT_EQ(created.wait_for(20s), std::future_status::ready);
  auto result = created.get();
  EXPECT_EQ(result.status, 201) << result.body.dump();
}

TEST_F(ApiLaunch, APromptToAStoppedSessionRestartsOffTheIoThread) {
  gate_->Open();
  auto session = CreateSession({{"provider", "exec"}, {"argv", {"/bin/cat"}}});
  const std::string id = session["id"];
  // An idle reap would do the same; the admin kill would delete it instead.
  daemon_.reset();
  auto gated = std::make_unique<GatedBackend>();
  gate_ = gated.get();
  backend_ = std::move(gated);
  StartDaemon();  // the session comes back stopped
  auto prompt = std::async(std::launch::async, [&] {
    return Call("POST", "/v1/sessions/" + id + "/messages", json{{"text", "hi"}}.dump());
  });
  ASSERT_TRUE(gate_->WaitHeld(10s)) << "the prompt did not restart the agent";
  auto get = Call("GET", "/v1/sessions/" + id);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body["state"], "starting") << get.body.dump();
  gate_->Open();
  ASSERT_EQ(prompt.wait_for(20s), std::future_status::ready);
  auto answer = prompt.get();
  EXPECT_EQ(answer.status, 202) << answer.body.dump();
  EXPECT_EQ(answer.body["turn"], 1);
}

TEST_F(ApiLaunch, ASessionDeletedDuringItsLaunchStaysDeletedAndItsAgentIsKilled) {
  auto created = CreateInBackground();
  ASSERT_TRUE(gate_->WaitHeld(10s));
  auto list = Call("GET", "/v1/sessions");
  ASSERT_EQ(list.body["sessions"].size(), 1u) << list.body.dump();
  const std::string id = list.body["sessions"][0]["id"];
  const auto started = std::chrono::steady_clock::now();
  auto deleted = Call("DELETE", "/v1/sessions/" + id);
  EXPECT_EQ(deleted.status, 200) << deleted.body.dump();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "the delete waited for the launch";
  gate_->Open();
  ASSERT_EQ(created.wait_for(20s), std::future_status::ready);
  auto result = created.get();
  EXPECT_EQ(result.status, 404) << result.body.dump();
  EXPECT_EQ(Call("GET", "/v1/sessions/" + id).status, 404);
  EXPECT_EQ(Call("GET", "/v1/sessions").body["sessions"].size(), 0u);
  // The process launched for the lost race is killed and reaped (bounded wait).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (supervisor::AgentProcess::LiveCount() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(supervisor::AgentProcess::LiveCount(), 0u);
}

}  // namespace
}  // namespace hotplex::testing
