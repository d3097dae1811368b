// WarmPool: pre-started sessions (sandbox launched, agent started and, once it
// answered its readiness probe, ready) waiting to be adopted by a create.
//
// A pooled session is built for a WarmKey (tenant, provider, exec argv; always
// the tenant's default workdir, with its own fresh home and conversation id)
// by the `launch` hook, with no store, audit or transcripts: it is nobody's
// session until SessionManager::Create takes it with Take() and adopts it
// (Session::Adopt), which costs microseconds instead of a sandbox launch.
//
// Each key has a target size. Launches run on the pool's own launcher threads
// (options.launch_threads, so at most that many at once; a request thread never
// waits for one; the threads live as long as the pool, which matters because a
// sandbox's parent-death signal follows its launching thread). A launcher
// thread also checks the pool every check_interval: entries whose agent died
// or whose policy is no longer the current one (a policy reload) are deleted
// and replaced. A failed launch backs its key off for one check_interval.
// Drain() (shutdown) stops the threads and deletes every entry, so no pooled
// agent outlives the pool.
// Thread-safety: all public methods are thread-safe. Lock order: the caller's
// locks (SessionManager) -> the pool's mutex -> a Session's mutex; the hooks
// are never called with the pool's mutex held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
    std::size_t launch_threads = 1;
    std::chrono::milliseconds check_interval{1000};
    std::size_t max_keys_per_tenant = 4;  // exec argv keys beyond this evict the oldest
  };

  WarmPool(Hooks hooks, Options options);
  ~WarmPool();
  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;

  // Starts the launcher threads (call once the io_context runs).
  void Start();
  // Keeps `size` sessions ready for `key` (0 = none; its entries are deleted).
  void SetTarget(const WarmKey& key, std::size_t size);
  // A pooled session for `key` built with `policy` whose agent still runs
  // (ready ones first), removed from the pool; null if there is none.
  SessionPtr Take(const WarmKey& key, const SessionPolicyPtr& policy);
  // Stops the launcher threads and deletes every pooled session. Idempotent.
  void Drain();

  std::size_t Size() const;        // pooled sessions now
  std::size_t Launched() const;    // pooled sessions ever started

 private:
  struct Slot {
    std::size_t target = 0;
    std::size_t launching = 0;
    std::deque<SessionPtr> entries;
    std::chrono::steady_clock::time_point backoff_until{};
  };

  void LauncherLoop();
  // A key that needs one more launch (and books it), or false.
  bool NextLaunchLocked(WarmKey& key);
  void Launch(const WarmKey& key);
  // Deletes dead and stale entries; the keys whose entries went are refilled.
  void Check();
  void EvictKeysLocked(const std::string& tenant_id, std::vector<SessionPtr>& doomed);

  const Hooks hooks_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<WarmKey, Slot> slots_;
  std::vector<WarmKey> key_order_;  // registration order, for eviction
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopping_ = false;
  std::size_t launched_ = 0;
};

}  // namespace hotplex::supervisor
