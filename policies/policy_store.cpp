#include "policies/policy_store.hpp"

#include <sys/stat.h>

#include <filesystem>

#include "policies/policy_loader.hpp"

namespace hotplex::policies {
namespace {

namespace fs = std::filesystem;

bool IsPolicyFile(const fs::directory_entry& e) {
  const auto ext = e.path().extension();
  return (ext == ".yaml" || ext == ".yml") && e.is_regular_file();
}

}  // namespace

Result<std::unique_ptr<PolicyStore>> PolicyStore::Open(std::string dir) {
  if (!dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      return MakeError("policy directory '" + dir + "' is not a directory");
  }
  std::unique_ptr<PolicyStore> store(new PolicyStore(std::move(dir)));
  store->Reload();
  return store;
}

PolicyStore::~PolicyStore() { StopWatching(); }

std::shared_ptr<const CompiledPolicy> PolicyStore::Get(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto it = policies_.find(name);
  return it == policies_.end() ? nullptr : it->second;
}

std::vector<std::string> PolicyStore::Names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, policy] : policies_) names.push_back(name);
  return names;
}

ReloadReport PolicyStore::LastReport() const {
  std::lock_guard lock(mutex_);
  return last_report_;
}

ReloadReport PolicyStore::Reload() {
  std::lock_guard reload_lock(reload_mutex_);
  std::string fingerprint =
      Fingerprint();  // before reading: a later change triggers another reload
  std::map<std::string, std::string> files;  // name -> path
  std::error_code ec;
  if (!dir_.empty()) {
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      if (IsPolicyFile(e)) files.emplace(e.path().stem().string(), e.path().string());
    }
  }
  ReloadReport report;
  std::map<std::string, std::shared_ptr<const CompiledPolicy>, std::less<>> fresh;
  if (!files.count("default")) {
    auto builtin = LoadPolicyText(BuiltinDefaultPolicyText(), "default", dir_);
    if (builtin) fresh["default"] = *builtin;
  }
  for (const auto& [name, path] : files) {
    auto loaded = LoadPolicyFile(path, dir_);
    if (loaded) {
      fresh[name] = *loaded;
      report.loaded.push_back(name);
      continue;
    }
    report.failed.push_back(name);
    const std::vector<Diagnostic> errors = loaded.error();  // error() returns a copy
    report.diagnostics.insert(report.diagnostics.end(), errors.begin(), errors.end());
    if (auto old = Get(name)) fresh[name] = old;  // the previous version stays in force
  }
  std::lock_guard lock(mutex_);
  for (const auto& [name, policy] : policies_) {
    if (!fresh.count(name)) report.removed.push_back(name);
  }
  policies_.swap(fresh);
  last_report_ = report;
  fingerprint_ = std::move(fingerprint);
  return report;
}

std::string PolicyStore::Fingerprint() const {
  std::string fp;
  std::error_code ec;
  if (dir_.empty()) return fp;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (!IsPolicyFile(e)) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0) continue;
    fp += e.path().filename().string() + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
          std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size) + ";";
  }
  return fp;
}

void PolicyStore::SetReloadListener(std::function<void(const ReloadReport&)> listener) {
  std::lock_guard lock(watch_mutex_);
  listener_ = std::move(listener);
}

void PolicyStore::StartWatching(std::chrono::milliseconds interval) {
  std::lock_guard lock(watch_mutex_);
  if (watcher_.joinable()) return;
  stop_ = false;
  watcher_ = std::thread([this, interval] { WatchLoop(interval); });
}

void PolicyStore::StopWatching() {
  {
    std::lock_guard lock(watch_mutex_);
    stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void PolicyStore::WatchLoop(std::chrono::milliseconds interval) {
  std::unique_lock lock(watch_mutex_);
  while (!watch_cv_.wait_for(lock, interval, [this] { return stop_; })) {
    const auto listener = listener_;  // copied under watch_mutex_
    lock.unlock();
    const std::string now = Fingerprint();
    bool changed;
    {
      std::lock_guard state(mutex_);
      changed = now != fingerprint_;
    }
    if (changed) {
      const ReloadReport report = Reload();
      if (listener) listener(report);
    }
    lock.lock();
  }
}

}  // namespace hotplex::policies
