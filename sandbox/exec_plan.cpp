#include "sandbox/exec_plan.hpp"

#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

std::string_view PathFromEnv(const std::vector<std::string>& env) {
  for (const auto& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) return std::string_view(kv).substr(5);
  }
  return kDefaultPath;
}

}  // namespace

Result<ExecPlan> ExecPlan::Build(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env) {
  if (argv.empty() || argv[0].empty()) return MakeError("no command given");
  for (const auto& kv : env) {
    if (kv.find('=') == std::string::npos || kv.front() == '=') {
      return MakeError("environment entry '" + kv + "' is not KEY=VALUE");
    }
  }
  ExecPlan plan;
  plan.argv_ = argv;
  plan.env_ = env;
  if (argv[0].find('/') != std::string::npos) {
    plan.candidates_.push_back(argv[0]);
  } else {
    std::string_view path = PathFromEnv(env);
    while (true) {
      const auto colon = path.find(':');
      std::string_view dir = path.substr(0, colon);
      if (dir.empty()) dir = ".";
      plan.candidates_.push_back(std::string(dir) + "/" + argv[0]);
      if (colon == std::string_view::npos) break;
      path.remove_prefix(colon + 1);
    }
  }
  plan.RebuildPointers();
  return plan;
}

ExecPlan::ExecPlan(ExecPlan&& other) noexcept
    : argv_(std::move(other.argv_)),
      env_(std::move(other.env_)),
      candidates_(std::move(other.candidates_)) {
  RebuildPointers();
}

ExecPlan& ExecPlan::operator=(ExecPlan&& other) noexcept {
  argv_ = std::move(other.argv_);
  env_ = std::move(other.env_);
  candidates_ = std::move(other.candidates_);
  RebuildPointers();
  return *this;
}

ExecPlan::~ExecPlan() = default;

void ExecPlan::RebuildPointers() {
  argv_ptrs_.clear();
  env_ptrs_.clear();
  for (auto& a : argv_) argv_ptrs_.push_back(a.data());
  argv_ptrs_.push_back(nullptr);
  for (auto& e : env_) env_ptrs_.push_back(e.data());
  env_ptrs_.push_back(nullptr);
}

void ExecPlan::Exec(int report_fd) const {
  // Like execvpe: remember EACCES if a candidate existed but was not executable,
  // otherwise report the last error (ENOENT when nothing was found).
  int saved = ENOENT;
  for (const auto& candidate : candidates_) {
    ::execve(candidate.c_str(), argv_ptrs_.data(), env_ptrs_.data());
    if (errno == EACCES)
      saved = EACCES;
    else if (errno != ENOENT && errno != ENOTDIR)
      saved = errno;
  }
  ReportSetupFailureErrno(report_fd, "execve", saved);
}

}  // namespace hotplex::sandbox
