// ExecPlan: the argv/envp arrays and candidate paths for execve, built in the
// parent so that the child (after clone) only has to call execve.
// Thread-safety: immutable after Build; the child reads its copy.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::sandbox {

class ExecPlan {
 public:
  // argv[0] without a '/' is looked up in the PATH found in `env` (or a default
  // PATH) at exec time, inside the sandbox's file system.
  static Result<ExecPlan> Build(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env);

  ExecPlan(ExecPlan&&) noexcept;
  ExecPlan& operator=(ExecPlan&&) noexcept;
  ExecPlan(const ExecPlan&) = delete;
  ExecPlan& operator=(const ExecPlan&) = delete;
  ~ExecPlan();

  // Child side, async-signal-safe: tries each candidate path; on failure reports
  // step "execve" with the most telling errno and _exits.
  [[noreturn]] void Exec(int report_fd) const;

  const std::vector<std::string>& Candidates() const { return candidates_; }

 private:
  ExecPlan() = default;
  void RebuildPointers();

  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<std::string> candidates_;
  std::vector<char*> argv_ptrs_;
  std::vector<char*> env_ptrs_;
};

}  // namespace hotplex::sandbox
