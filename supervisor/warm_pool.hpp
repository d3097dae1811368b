// WarmPool: pre-started sessions (sandbox launched, agent started and, once it
// answered its readiness probe, ready) waiting to be adopted by a create.
//
// A pooled session is built for a WarmKey (tenant, provider, exec argv; always
// the tenant's default workdir, with its own fresh home and conversation id)
// by the `launch` hook, with no store, audit or transcripts: it is nobody's
// session until SessionManager::Create takes it with Take() and adopts it
// (Session::Adopt), which costs microseconds instead of a sandbox launch.
//
// Each key has a target size. Launches run as jobs of the daemon's Launcher
// (supervisor/launcher.hpp, whose threads live as long as the daemon, as a
// sandbox's parent-death signal requires), at most options.launch_threads of
// them at once so that creates always find a free launcher thread; a request
// thread never waits for a pool launch. A timer on the io_context posts a check
// every check_interval: entries whose agent died or whose policy is no longer
// the current one (a policy reload) are deleted and replaced, and keys that are
// short (a failed launch backs its key off for one check_interval, a full
// launch queue refused a fill) are filled again. Drain() (shutdown) stops the
// timer, waits for the pool's jobs and deletes every entry, so no pooled agent
// outlives the pool.
// Thread-safety: all public methods are thread-safe. Lock order: the caller's
// locks (SessionManager) -> the timer's mutex -> the pool's mutex -> a
// Session's mutex or the Launcher's; the hooks are never called with the
// pool's mutex held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "supervisor/launcher.hpp"
#include "supervisor/session.hpp"

namespace hotplex::supervisor {

struct WarmKey {
  std::string tenant_id;
  ProviderKind provider = ProviderKind::kClaudeCode;
  std::vector<std::string> argv;  // exec only
  auto operator<=>(const WarmKey&) const = default;
};

class WarmPool {
 public:
  struct Hooks {
    // Builds and starts a pooled session for `key` (on a launcher thread).
    std::function<SvResult<SessionPtr>(const WarmKey&)> launch;
    // The policy a session for `key` gets now; null = the key is no longer served.
    std::function<SessionPolicyPtr(const WarmKey&)> current_policy;
  };
  struct Options {
    std::size_t launch_threads = 1;  // pool launches at once (on the Launcher's threads)
    std::chrono::milliseconds check_interval{1000};
    std::size_t max_keys_per_tenant = 4;  // exec argv keys beyond this evict the oldest
  };

  WarmPool(Hooks hooks, Options options, Launcher& launcher, boost::asio::io_context& io);
  ~WarmPool();
  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;

  // Starts filling and the periodic check (call once the io_context runs).
  void Start();
  // Keeps `size` sessions ready for `key` (0 = none; its entries are deleted).
  void SetTarget(const WarmKey& key, std::size_t size);
  // A pooled session for `key` built with `policy` whose agent still runs
  // (ready ones first), removed from the pool; null if there is none.
  SessionPtr Take(const WarmKey& key, const SessionPolicyPtr& policy);
  // Stops the check, waits for the pool's launches and deletes every pooled
  // session. Idempotent. Never call it on a launcher thread.
  void Drain();

 private:
  struct Slot {
    std::size_t target = 0;
    std::size_t launching = 0;
    std::deque<SessionPtr> entries;
    std::chrono::steady_clock::time_point backoff_until{};
  };

  // The timer's handler holds this, not the pool: Drain() clears `pool`.
  struct Ticker {
    std::mutex mu;
    WarmPool* pool = nullptr;
  };

  // Posts launches for the keys below their target, up to launch_threads.
  void Fill();
  // A key that needs one more launch (and books it), or false.
  bool NextLaunchLocked(WarmKey& key);
  void Launch(const WarmKey& key);  // a Launcher job
  void ArmTimerLocked();            // with ticker_->mu held
  void Tick();                      // every check_interval, on an io thread
  // Deletes dead and stale entries (a Launcher job); then refills.
  void Check();
  void DeleteStale(const std::vector<SessionPtr>& bad);
  void JobDoneLocked();  // the check job ended
  void EvictKeysLocked(const std::string& tenant_id, std::vector<SessionPtr>& doomed);

  const Hooks hooks_;
  const Options options_;
  Launcher& launcher_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<Ticker> ticker_;
  mutable std::mutex mu_;
  std::condition_variable idle_;  // jobs_ reached 0
  std::map<WarmKey, Slot> slots_;
  std::vector<WarmKey> key_order_;  // registration order, for eviction
  std::size_t launching_ = 0;       // pool launches posted and not finished
  std::size_t jobs_ = 0;            // launches and checks posted and not finished
  bool checking_ = false;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace hotplex::supervisor
