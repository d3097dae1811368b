#include "supervisor/launcher.hpp"

#include <algorithm>
#include <future>

#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {

Launcher::Launcher(Options options) : options_(options) {
  const std::size_t n = std::max<std::size_t>(1, options_.threads);
  threads_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
}

Launcher::~Launcher() { Stop(); }

bool Launcher::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < options_.queue_limit) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return true;
    }
  }
  Metrics::Global().LaunchRefused();
  return false;
}

bool Launcher::RunAndWait(std::function<void()> job) {
  std::promise<void> done;
  auto finished = done.get_future();
  if (!Post([&] {
        job();
        done.set_value();
      })) {
    return false;
  }
  finished.wait();
  return true;
}

void Launcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

SupervisorError Launcher::QueueFullError() const {
  return SvError(ErrorKind::kUnavailable,
                 "too many sandbox launches in progress (" + std::to_string(options_.queue_limit) +
                     " waiting for " + std::to_string(options_.threads) +
                     " launcher threads) or the daemon is shutting down; retry in a moment");
}

std::size_t Launcher::Queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void Launcher::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // its captures (a session, a handler) go before the lock is retaken
    lock.lock();
  }
}

}  // namespace hotplex::supervisor
