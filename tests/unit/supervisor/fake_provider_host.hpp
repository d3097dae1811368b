// FakeProviderHost: records what a provider emits and writes, and lets a test
// fire scheduled timers by hand. Thread-safety: single-threaded tests only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "supervisor/provider.hpp"

namespace hotplex::supervisor::testing {

class FakeProviderHost : public ProviderHost {
 public:
  void Emit(EventPayload payload) override { events.push_back(std::move(payload)); }
  void WriteLine(std::string line) override { lines.push_back(std::move(line)); }
  void SignalAgent(int sig) override { signals.push_back(sig); }
  void AgentReady() override { ++ready_calls; }
  TimerId ScheduleAfter(std::chrono::milliseconds delay, std::function<void()> fn) override {
    const TimerId id = next_id++;
    timers[id] = {delay, std::move(fn)};
    return id;
  }
  void CancelTimer(TimerId id) override { timers.erase(id); }
  const std::string& WorkDir() const override { return workdir; }

  // Runs every pending timer (as if their delays passed).
  void FireTimers() {
    auto pending = std::move(timers);
    timers.clear();
    for (auto& [id, t] : pending) t.second();
  }
  nlohmann::json LastLineJson() const { return nlohmann::json::parse(lines.back()); }
  template <class T>
  std::vector<T> Of() const {
    std::vector<T> out;
    for (const auto& e : events) {
      if (const T* p = std::get_if<T>(&e)) out.push_back(*p);
    }
    return out;
  }

  std::vector<EventPayload> events;
  std::vector<std::string> lines;
  std::vector<int> signals;
  int ready_calls = 0;
  std::map<TimerId, std::pair<std::chrono::milliseconds, std::function<void()>>> timers;
  TimerId next_id = 1;
  std::string workdir = "/work/project";
};

}  // namespace hotplex::supervisor::testing
