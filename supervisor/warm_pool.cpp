#include "supervisor/warm_pool.hpp"

#include <algorithm>

namespace hotplex::supervisor {
namespace {

bool Alive(const Session& session) {
  return session.Running() && session.Snapshot().state != SessionState::kDead;
}

void DeleteAll(std::vector<SessionPtr>& doomed, StopReason reason) {
  for (auto& session : doomed) session->Delete(reason);
  doomed.clear();
}

}  // namespace

WarmPool::WarmPool(Hooks hooks, Options options)
    : hooks_(std::move(hooks)), options_(options) {}

WarmPool::~WarmPool() { Drain(); }

void WarmPool::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.launch_threads); ++i) {
    threads_.emplace_back([this] { LauncherLoop(); });
  }
}

void WarmPool::SetTarget(const WarmKey& key, std::size_t size) {
  std::vector<SessionPtr> doomed;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    auto it = slots_.find(key);
    if (it == slots_.end()) {
      if (size == 0) return;
      it = slots_.emplace(key, Slot{}).first;
      key_order_.push_back(key);
      EvictKeysLocked(key.tenant_id, doomed);
    }
    it->second.target = size;
    while (it->second.entries.size() > size) {
      doomed.push_back(std::move(it->second.entries.back()));
      it->second.entries.pop_back();
    }
  }
  DeleteAll(doomed, StopReason::kWarmPoolResized);
  wake_.notify_all();
}

// Keeps at most max_keys_per_tenant keys of a tenant: the oldest exec key goes.
void WarmPool::EvictKeysLocked(const std::string& tenant_id, std::vector<SessionPtr>& doomed) {
  auto of_tenant = [&](const WarmKey& k) { return k.tenant_id == tenant_id; };
  while (static_cast<std::size_t>(std::count_if(key_order_.begin(), key_order_.end(),
                                                of_tenant)) > options_.max_keys_per_tenant) {
    auto victim = std::find_if(key_order_.begin(), key_order_.end(), [&](const WarmKey& k) {
      return of_tenant(k) && k.provider == ProviderKind::kExec;
    });
    if (victim == key_order_.end()) return;
    auto slot = slots_.find(*victim);
    for (auto& s : slot->second.entries) doomed.push_back(std::move(s));
    slots_.erase(slot);
    key_order_.erase(victim);
  }
}

SessionPtr WarmPool::Take(const WarmKey& key, const SessionPolicyPtr& policy) {
  std::vector<SessionPtr> doomed;
  SessionPtr taken;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(key);
    if (it == slots_.end() || stopping_) return nullptr;
    auto& entries = it->second.entries;
    // Dead or stale entries found on the way are dropped (the launcher refills).
    for (auto e = entries.begin(); e != entries.end();) {
      if ((*e)->PolicyPtr() != policy || !Alive(**e)) {
        doomed.push_back(std::move(*e));
        e = entries.erase(e);
        continue;
      }
      const bool ready = (*e)->Snapshot().state == SessionState::kReady;
      if (!taken || ready) taken = *e;
      if (ready) break;
      ++e;
    }
    if (taken) entries.erase(std::find(entries.begin(), entries.end(), taken));
  }
  DeleteAll(doomed, StopReason::kWarmPoolStale);
  wake_.notify_all();
  return taken;
}

void WarmPool::Drain() {
  std::vector<SessionPtr> doomed;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  {
    std::lock_guard lock(mu_);
    for (auto& [key, slot] : slots_) {
      for (auto& s : slot.entries) doomed.push_back(std::move(s));
      slot.entries.clear();
    }
  }
  DeleteAll(doomed, StopReason::kWarmPoolDrained);
}

bool WarmPool::NextLaunchLocked(WarmKey& key) {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [k, slot] : slots_) {
    if (slot.entries.size() + slot.launching < slot.target && slot.backoff_until <= now) {
      ++slot.launching;
      key = k;
      return true;
    }
  }
  return false;
}

void WarmPool::LauncherLoop() {
  auto next_check = std::chrono::steady_clock::now() + options_.check_interval;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    WarmKey key;
    if (NextLaunchLocked(key)) {
      lock.unlock();
      Launch(key);
      lock.lock();
      continue;
    }
    if (std::chrono::steady_clock::now() >= next_check) {
      lock.unlock();
      Check();
      lock.lock();
      next_check = std::chrono::steady_clock::now() + options_.check_interval;
      continue;
    }
    wake_.wait_until(lock, next_check);
  }
}

void WarmPool::Launch(const WarmKey& key) {
  auto launched = hooks_.launch(key);
  SessionPtr extra;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(key);
    if (it != slots_.end()) --it->second.launching;
    if (!launched) {
      if (it != slots_.end()) {
        it->second.backoff_until = std::chrono::steady_clock::now() + options_.check_interval;
      }
      return;
    }
    ++launched_;
    const bool wanted = !stopping_ && it != slots_.end() &&
                        it->second.entries.size() < it->second.target;
    if (wanted) {
      it->second.entries.push_back(std::move(*launched));
    } else {
      extra = std::move(*launched);
    }
  }
  if (extra) extra->Delete(StopReason::kWarmPoolUnwanted);
}

void WarmPool::Check() {
  std::vector<std::pair<WarmKey, SessionPtr>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, slot] : slots_) {
      for (const auto& s : slot.entries) all.emplace_back(key, s);
    }
  }
  std::vector<SessionPtr> bad;
  std::map<WarmKey, SessionPolicyPtr> current;
  for (const auto& [key, session] : all) {
    auto [it, fresh] = current.emplace(key, nullptr);
    if (fresh) it->second = hooks_.current_policy(key);
    if (session->PolicyPtr() != it->second || !Alive(*session)) bad.push_back(session);
  }
  if (bad.empty()) return;
  // Only what is still pooled goes: an entry taken meanwhile belongs to a session now.
  std::vector<SessionPtr> doomed;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, slot] : slots_) {
      std::erase_if(slot.entries, [&](const SessionPtr& s) {
        if (std::find(bad.begin(), bad.end(), s) == bad.end()) return false;
        doomed.push_back(s);
        return true;
      });
    }
  }
  DeleteAll(doomed, StopReason::kWarmPoolStale);
}

std::size_t WarmPool::Size() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [key, slot] : slots_) n += slot.entries.size();
  return n;
}

std::size_t WarmPool::Launched() const {
  std::lock_guard lock(mu_);
  return launched_;
}

}  // namespace hotplex::supervisor
