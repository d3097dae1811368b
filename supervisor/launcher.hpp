// Launcher: the daemon's long-lived threads that launch sandboxes, so that no
// I/O thread ever waits for a clone/pivot_root or a docker create/attach/start.
//
// Every launch goes through it: session create, the restart of a stopped session
// on a message, Reattach at recovery and the warm pool's fills. The threads live
// as long as their owner (SessionManager, i.e. the daemon) because a sandbox's
// parent-death signal follows the *thread* that launched it. Jobs wait in one
// FIFO queue bounded in jobs (each is a small closure, all about the same
// size); a job posted to a full queue is refused at once (Post() returns false,
// hotplex_launches_refused_total counts it) and the caller answers
// `unavailable` instead of queueing without bound.
//
// AsyncLaunch() is the asio face for api/: it runs the work on a launcher thread
// and completes the caller's handler on the handler's own executor (e.g. the
// connection's coroutine), so a handler `co_await`s a launch.
// Thread-safety: every method is thread-safe. Stop() (and the destructor) runs
// the jobs already queued, then joins the threads; later posts are refused.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "supervisor/supervisor_error.hpp"

namespace hotplex::supervisor {

class Launcher {
 public:
  struct Options {
    std::size_t threads = 4;        // launches at once
    std::size_t queue_limit = 256;  // launches waiting for a thread
  };

  explicit Launcher(Options options);
  ~Launcher();
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  // Queues `job` for a launcher thread. False (the job is dropped unrun) when
  // the queue is full or the launcher stopped.
  bool Post(std::function<void()> job);
  // Posts `job` and waits until it ran (startup work such as Recover's
  // reattaches); false if it was refused. Never call it on a launcher thread.
  bool RunAndWait(std::function<void()> job);
  // Runs what is queued, then joins the threads. Idempotent.
  void Stop();
  // The error a refused launch answers with (kUnavailable: 503).
  SupervisorError QueueFullError() const;
  std::size_t Queued() const;
  const Options& Config() const { return options_; }

 private:
  void Loop();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

// Runs `work` on a launcher thread and completes `token` with its SvResult<T>
// on the token's associated executor (never inline). A full queue completes it
// with launcher.QueueFullError().
template <class T, class Token>
auto AsyncLaunch(Launcher& launcher, std::function<SvResult<T>()> work, Token&& token) {
  namespace asio = boost::asio;
  auto initiate = [&launcher](auto handler, std::function<SvResult<T>()> fn) {
    auto ex = asio::get_associated_executor(handler);
    using Handler = decltype(handler);
    struct Pending {
      Handler handler;
      asio::executor_work_guard<decltype(ex)> work;  // keeps the caller's context alive
    };
    auto pending =
        std::make_shared<Pending>(Pending{std::move(handler), asio::make_work_guard(ex)});
    auto complete = [pending](SvResult<T> result) {
      auto ex2 = pending->work.get_executor();
      asio::post(ex2, [pending, result = std::move(result)]() mutable {
        std::move(pending->handler)(std::move(result));
      });
    };
    if (!launcher.Post([fn = std::move(fn), complete] { complete(fn()); })) {
      complete(launcher.QueueFullError());
    }
  };
  return asio::async_initiate<Token, void(SvResult<T>)>(initiate, token, std::move(work));
}

}  // namespace hotplex::supervisor
