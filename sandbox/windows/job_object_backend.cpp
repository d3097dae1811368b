#include "sandbox/windows/job_object_backend.hpp"

#include "sandbox/windows/job_object_sandbox.hpp"
#include "sandbox/windows/launch_plan.hpp"
#include "sandbox/windows/restricted_token.hpp"
#include "sandbox/windows/win32_error.hpp"

namespace hotplex::sandbox {

namespace {

using win32::Job;
using win32::LaunchPlan;
using win32::UniqueHandle;

// A setup step that failed after the spec was accepted, like the Linux
// backend's {step, errno} report.
Error SetupFailure(const Error& cause) {
  return Error{kSandboxSetupFailed, cause.sys_errno, cause.step};
}

class JobObjectBackend final : public Backend {
 public:
  explicit JobObjectBackend(JobObjectOptions options) : options_(options) {}
  BackendKind Kind() const override { return BackendKind::kJobObject; }

  // The whole setup order, in one list:
  //   1. plan: validate the spec, resolve argv[0] in the spec's PATH, quote the
  //      command line, build the environment block (parent side, may fail cleanly);
  //   2. the job with its limits, UI restrictions and completion port;
  //   3. the restricted, low-integrity token;
  //   4. inheritable copies of the three stdio handles, and only those inherited;
  //   5. CreateProcessAsUserW, CREATE_SUSPENDED, WorkDir as current directory;
  //   6. AssignProcessToJobObject (a failure kills the suspended child);
  //   7. ResumeThread: the payload's first instruction runs inside the job.
  Result<std::unique_ptr<Sandbox>> Launch(const SandboxSpec& spec) override {
    HOTPLEX_TRY(LaunchPlan plan, win32::MakeLaunchPlan(spec));
    HOTPLEX_TRY(Job job, Job::Create(spec.limits));
    UniqueHandle token;
    if (options_.restricted_token) {
      HOTPLEX_TRY(auto restricted, win32::MakeRestrictedToken());
      token = std::move(restricted.token);
    }
    HOTPLEX_TRY(win32::InheritedStdio stdio, win32::InheritStdio(spec.stdio));
    auto started = win32::StartSuspended(plan, token.Get(), stdio);
    if (!started) return SetupFailure(started.error());
    auto assigned = job.Assign(started->process.Get());
    if (!assigned) {
      TerminateProcess(started->process.Get(), win32::kKilledExitCode);
      return SetupFailure(assigned.error());
    }
    if (ResumeThread(started->thread.Get()) == static_cast<DWORD>(-1)) {
      auto error = win32::LastError("ResumeThread");
      job.Terminate(win32::kKilledExitCode);
      return SetupFailure(error);
    }
    return std::unique_ptr<Sandbox>(std::make_unique<win32::JobObjectSandbox>(
        std::move(job), std::move(started->process), started->pid, spec.limits));
  }

 private:
  JobObjectOptions options_;
};

}  // namespace

std::unique_ptr<Backend> MakeJobObjectBackend(const JobObjectOptions& options) {
  return std::make_unique<JobObjectBackend>(options);
}

}  // namespace hotplex::sandbox
