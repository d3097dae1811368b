// PolicyStore: the policies of one directory, compiled and kept current.
//
// Each *.yaml/*.yml file is one policy named after its stem; `default` always
// exists (the directory's default.yaml or the built-in one). Reload() reloads
// every file; a file that fails validation keeps its previous version in
// force and its diagnostics are reported. A policy whose file disappeared is
// dropped (sessions keep the shared_ptr they hold). StartWatching() polls the
// directory's modification times from one owned thread.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "policies/compiled_policy.hpp"
#include "policies/diagnostic.hpp"

namespace hotplex::policies {

struct ReloadReport {
  std::vector<std::string> loaded;  // names (re)compiled successfully
  std::vector<std::string> failed;  // names whose new version was rejected
  std::vector<std::string> removed;
  std::vector<Diagnostic> diagnostics;
  bool Ok() const { return failed.empty(); }
};

class PolicyStore {
 public:
  // `dir` may be empty: only the built-in default. Fails only if `dir` is not a
  // readable directory; invalid files are reported by Reload() / LastReport().
  static Result<std::unique_ptr<PolicyStore>> Open(std::string dir);
  ~PolicyStore();
  PolicyStore(const PolicyStore&) = delete;
  PolicyStore& operator=(const PolicyStore&) = delete;

  std::shared_ptr<const CompiledPolicy> Get(std::string_view name) const;
  std::vector<std::string> Names() const;
  ReloadReport Reload();
  ReloadReport LastReport() const;

  // Called on the watcher thread after each automatic reload (e.g. to log the
  // diagnostics of a rejected file).
  void SetReloadListener(std::function<void(const ReloadReport&)> listener);
  void StartWatching(std::chrono::milliseconds interval = std::chrono::seconds(1));
  void StopWatching();

 private:
  explicit PolicyStore(std::string dir) : dir_(std::move(dir)) {}
  // Newest mtime and file count of the directory: changes when a file does.
  std::string Fingerprint() const;
  void WatchLoop(std::chrono::milliseconds interval);

  const std::string dir_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const CompiledPolicy>, std::less<>> policies_;
  ReloadReport last_report_;
  std::string fingerprint_;  // of the directory at the last Reload()
  std::mutex reload_mutex_;  // one Reload() at a time

  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  std::function<void(const ReloadReport&)> listener_;  // guarded by watch_mutex_
  bool stop_ = false;
  std::thread watcher_;
};

}  // namespace hotplex::policies
