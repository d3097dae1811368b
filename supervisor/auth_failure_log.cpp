#include "supervisor/auth_failure_log.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {
namespace {

constexpr std::size_t kMaxPathBytes = 256;

bool IsOverflow(const std::pair<std::string, std::string>& key) {
  return key.second == AuthFailureLog::kOverflowAddress;
}

AuditRecord Base(const std::pair<std::string, std::string>& key, std::int64_t window_ms) {
  AuditRecord record{audit_type::kAuthFailure, "", "", "anonymous@" + key.second, {}};
  record.data = {{"listener", key.first}, {"address", key.second}, {"window_ms", window_ms}};
  if (IsOverflow(key)) record.data["overflow"] = true;
  return record;
}

}  // namespace

AuthFailureLog::AuthFailureLog(AuditSink* sink, AuthFailureLogOptions options)
    : sink_(sink), options_(options) {}

void AuthFailureLog::Record(AuthFailure failure, Clock::time_point now) {
  if (failure.path.size() > kMaxPathBytes) failure.path.resize(kMaxPathBytes);
  Metrics::Global().AuthFailure(failure.listener);
  std::vector<AuditRecord> out;
  {
    std::lock_guard lock(mu_);
    const Key key = Admit(failure, now, out);
    auto [it, inserted] = sources_.try_emplace(key);
    Source& source = it->second;
    if (inserted) {
      // The first failure of a source: written at once, it opens the window.
      source.window_start = now;
      AuditRecord first = Base(key, options_.window.count());
      first.data["path"] = failure.path;
      first.data["reason"] = failure.reason;
      if (!failure.route.empty()) first.data["route"] = failure.route;
      first.data["count"] = 1;
      out.push_back(std::move(first));
    } else {
      const std::int64_t wall = NowUnixMs();
      if (source.pending++ == 0) source.first_ms = wall;
      source.last_ms = wall;
      ++source.reasons[failure.reason];
      source.last_path = std::move(failure.path);
    }
  }
  Write(std::move(out));
}

AuthFailureLog::Key AuthFailureLog::Admit(const AuthFailure& failure, Clock::time_point now,
                                          std::vector<AuditRecord>& out) {
  Key key{failure.listener, failure.address};
  auto it = sources_.find(key);
  if (it != sources_.end() && now >= it->second.window_start + options_.window) {
    // Its window is over: summarise it before this failure counts in the next.
    FlushDueLocked(now, false, out);
    it = sources_.find(key);
  }
  if (it != sources_.end() || IsOverflow(key)) return key;
  auto tracked = [this] {
    return std::count_if(sources_.begin(), sources_.end(),
                         [](const auto& entry) { return !IsOverflow(entry.first); });
  };
  if (static_cast<std::size_t>(tracked()) < options_.max_sources) return key;
  FlushDueLocked(now, false, out);  // quiet sources leave room
  if (static_cast<std::size_t>(tracked()) < options_.max_sources) return key;
  Metrics::Global().AuthFailureOverflow();
  return {failure.listener, std::string(kOverflowAddress)};
}

void AuthFailureLog::FlushDueLocked(Clock::time_point now, bool all,
                                    std::vector<AuditRecord>& out) {
  for (auto it = sources_.begin(); it != sources_.end();) {
    Source& source = it->second;
    if (!all && now < source.window_start + options_.window) {
      ++it;
      continue;
    }
    if (source.pending == 0) {  // quiet for a whole window: forget it
      it = sources_.erase(it);
      continue;
    }
    AuditRecord summary = Base(it->first, options_.window.count());
    const auto top =
        std::max_element(source.reasons.begin(), source.reasons.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    summary.data["path"] = source.last_path;
    summary.data["reason"] = top->first;
    summary.data["reasons"] = source.reasons;
    summary.data["count"] = source.pending;
    summary.data["first_ms"] = source.first_ms;
    summary.data["last_ms"] = source.last_ms;
    summary.data["aggregated"] = true;
    out.push_back(std::move(summary));
    // Still failing: the next window starts now, without an immediate record.
    source.window_start = now;
    source.pending = 0;
    source.reasons.clear();
    ++it;
  }
}

void AuthFailureLog::FlushDue(Clock::time_point now) {
  std::vector<AuditRecord> out;
  {
    std::lock_guard lock(mu_);
    FlushDueLocked(now, false, out);
  }
  Write(std::move(out));
}

void AuthFailureLog::FlushAll() {
  std::vector<AuditRecord> out;
  {
    std::lock_guard lock(mu_);
    FlushDueLocked(Clock::now(), true, out);
  }
  Write(std::move(out));
}

std::size_t AuthFailureLog::TrackedSources() const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(
      std::count_if(sources_.begin(), sources_.end(),
                    [](const auto& entry) { return !IsOverflow(entry.first); }));
}

void AuthFailureLog::Write(std::vector<AuditRecord> records) {
  if (sink_ == nullptr) return;
  for (auto& record : records) sink_->Append(std::move(record), nullptr);
}

}  // namespace hotplex::supervisor
