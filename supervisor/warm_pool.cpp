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

WarmPool::WarmPool(Hooks hooks, Options options, Launcher& launcher, boost::asio::io_context& io)
    : hooks_(std::move(hooks)),
      options_(options),
      launcher_(launcher),
      timer_(io),
      ticker_(std::make_shared<Ticker>()) {}

WarmPool::~WarmPool() { Drain(); }

void WarmPool::Start() {
  {
    std::lock_guard ticking(ticker_->mu);
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
    ticker_->pool = this;
    ArmTimerLocked();
  }
  Fill();
}

void WarmPool::ArmTimerLocked() {
  timer_.expires_after(options_.check_interval);
  timer_.async_wait([ticker = ticker_](boost::system::error_code ec) {
    std::lock_guard lock(ticker->mu);
    if (!ec && ticker->pool != nullptr) ticker->pool->Tick();
  });
}

// Runs with ticker_->mu held, so Drain() cannot pass it meanwhile.
void WarmPool::Tick() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (!checking_) {
      checking_ = true;
      ++jobs_;
      if (!launcher_.Post([this] { Check(); })) JobDoneLocked();
    }
  }
  ArmTimerLocked();
  Fill();
}

void WarmPool::JobDoneLocked() {
  checking_ = false;
  --jobs_;
  idle_.notify_all();
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
  Fill();
}

// Keeps at most max_keys_per_tenant keys of a tenant: the oldest exec key goes.
void WarmPool::EvictKeysLocked(const std::string& tenant_id, std::vector<SessionPtr>& doomed) {
  auto of_tenant = [&](const WarmKey& k) { return k.tenant_id == tenant_id; };
  while (static_cast<std::size_t>(std::count_if(key_order_.begin(), key_order_.end(), of_tenant)) >
         options_.max_keys_per_tenant) {
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
  Fill();
  return taken;
}

void WarmPool::Drain() {
  {
    std::lock_guard ticking(ticker_->mu);
    ticker_->pool = nullptr;
    timer_.cancel();
  }
  std::vector<SessionPtr> doomed;
  {
    std::unique_lock lock(mu_);
    stopping_ = true;
    // Queued jobs see stopping_ and return at once; running ones finish their launch.
    idle_.wait(lock, [this] { return jobs_ == 0; });
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

void WarmPool::Fill() {
  std::lock_guard lock(mu_);
  WarmKey key;
  while (started_ && !stopping_ && launching_ < std::max<std::size_t>(1, options_.launch_threads) &&
         NextLaunchLocked(key)) {
    ++launching_;
    ++jobs_;
    if (!launcher_.Post([this, key] { Launch(key); })) {
      // The queue is full of requests: they go first; the next tick retries.
      --slots_[key].launching;
      --launching_;
      --jobs_;
      idle_.notify_all();
      return;
    }
  }
}

void WarmPool::Launch(const WarmKey& key) {
  bool stopping;
  {
    std::lock_guard lock(mu_);
    stopping = stopping_;
  }
  auto launched = stopping ? SvResult<SessionPtr>(SvError(ErrorKind::kUnavailable, "draining"))
                           : hooks_.launch(key);
  SessionPtr extra;
  {
    std::lock_guard lock(mu_);
    --launching_;
    auto it = slots_.find(key);
    if (it != slots_.end()) --it->second.launching;
    if (launched) {
      const bool wanted =
          !stopping_ && it != slots_.end() && it->second.entries.size() < it->second.target;
      if (wanted) it->second.entries.push_back(std::move(*launched));
      if (!wanted) extra = std::move(*launched);
    } else if (it != slots_.end() && !stopping) {
      it->second.backoff_until = std::chrono::steady_clock::now() + options_.check_interval;
    }
  }
  if (extra) extra->Delete(StopReason::kWarmPoolUnwanted);
  Fill();
  std::lock_guard lock(mu_);  // last: Drain() may return (and the pool go) once jobs_ is 0
  --jobs_;
  idle_.notify_all();
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
  if (!bad.empty()) DeleteStale(bad);
  Fill();
  std::lock_guard lock(mu_);  // last, like Launch()
  JobDoneLocked();
}

void WarmPool::DeleteStale(const std::vector<SessionPtr>& bad) {
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

}  // namespace hotplex::supervisor
