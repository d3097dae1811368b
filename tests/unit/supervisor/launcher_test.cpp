#include "supervisor/launcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hotplex::supervisor {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Holds a launcher thread until released (bounded).
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::function<void()> Job() {
    return [f = opened] { (void)f.wait_for(10s); };
  }
};

TEST(Launcher, AFullQueueRefusesAtOnceAndSaysWhy) {
  Launcher launcher({1, 2});
  Gate gate;
  std::promise<void> running;
  ASSERT_TRUE(launcher.Post([&, f = gate.opened] {
    running.set_value();
    (void)f.wait_for(10s);
  }));
  running.get_future().wait();  // the only thread is busy: later jobs queue
  EXPECT_TRUE(launcher.Post(gate.Job()));
  EXPECT_TRUE(launcher.Post(gate.Job()));
  EXPECT_FALSE(launcher.Post(gate.Job())) << "a third queued job exceeds queue_limit 2";
  EXPECT_EQ(launcher.Queued(), 2u);
  const auto error = launcher.QueueFullError();
  EXPECT_EQ(error.kind, ErrorKind::kUnavailable);
  EXPECT_NE(error.message.find("retry"), std::string::npos) << error.message;
  gate.open.set_value();
}

TEST(Launcher, StopRunsWhatIsQueuedThenRefuses) {
  std::atomic<int> ran{0};
  Launcher launcher({1, 8});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(launcher.Post([&] { ++ran; }));
  launcher.Stop();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(launcher.Post([&] { ++ran; }));
  EXPECT_FALSE(launcher.RunAndWait([&] { ++ran; }));
}

TEST(Launcher, RunAndWaitRunsOnALauncherThread) {
  Launcher launcher({2, 8});
  std::thread::id where;
  ASSERT_TRUE(launcher.RunAndWait([&] { where = std::this_thread::get_id(); }));
  EXPECT_NE(where, std::this_thread::get_id());
}

// The point of the launcher: while a launch blocks, the caller's io_context
// (one thread here) goes on running other handlers, and the result comes back
// on that io_context's thread.
TEST(Launcher, AsyncLaunchLeavesTheIoThreadFreeAndCompletesOnIt) {
  Launcher launcher({1, 8});
  asio::io_context io;
  Gate gate;
  std::thread::id io_thread, completed_on;
  SvResult<int> result = SvError(ErrorKind::kInternal, "not completed");
  bool timer_fired_during_launch = false;
  bool launch_done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        io_thread = std::this_thread::get_id();
        std::function<SvResult<int>()> work = [f = gate.opened]() -> SvResult<int> {
          (void)f.wait_for(10s);
          return 42;
        };
        result = co_await AsyncLaunch<int>(launcher, std::move(work), asio::use_awaitable);
        completed_on = std::this_thread::get_id();
        launch_done = true;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  asio::steady_timer timer(io, 50ms);
  timer.async_wait([&](boost::system::error_code) {
    timer_fired_during_launch = !launch_done;
    gate.open.set_value();
  });
  const auto ran = io.run_for(10s);
  EXPECT_GT(ran, 0u);
  EXPECT_TRUE(timer_fired_during_launch) << "the io thread was blocked by the launch";
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(completed_on, io_thread);
}

TEST(Launcher, AsyncLaunchOnAFullQueueCompletesWithUnavailable) {
  Launcher launcher({1, 0});  // no queue: every post is refused
  asio::io_context io;
  SvResult<int> result = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::function<SvResult<int>()> work = [] { return SvResult<int>(1); };
        result = co_await AsyncLaunch<int>(launcher, std::move(work), asio::use_awaitable);
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run_for(5s);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kUnavailable);
}

}  // namespace
}  // namespace hotplex::supervisor
