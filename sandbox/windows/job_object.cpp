#include "sandbox/windows/job_object.hpp"

#include <algorithm>
#include <cmath>

#include "sandbox/windows/win32_error.hpp"

namespace hotplex::sandbox::win32 {

namespace {

Status SetExtendedLimits(HANDLE job, const Limits& limits) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info = {};
  DWORD flags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (limits.memory_bytes != 0) {
    flags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
    info.JobMemoryLimit = static_cast<SIZE_T>(limits.memory_bytes);
  }
  if (limits.pids != 0) {
    flags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
    info.BasicLimitInformation.ActiveProcessLimit =
        static_cast<DWORD>(std::min<std::uint64_t>(limits.pids, MAXDWORD));
  }
  info.BasicLimitInformation.LimitFlags = flags;
  if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof info)) {
    return LastError("SetInformationJobObject", "extended limits");
  }
  return {};
}

// A hard cap in 1/100 of a percent of the whole machine (10000 = every CPU).
Status SetCpuRate(HANDLE job, double cpu_cores) {
  SYSTEM_INFO system = {};
  GetSystemInfo(&system);
  const double share = cpu_cores / std::max<DWORD>(system.dwNumberOfProcessors, 1);
  if (cpu_cores <= 0 || share >= 1.0) return {};
  JOBOBJECT_CPU_RATE_CONTROL_INFORMATION info = {};
  info.ControlFlags = JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
  info.CpuRate = std::clamp<DWORD>(static_cast<DWORD>(std::lround(share * 10000)), 1, 10000);
  if (!SetInformationJobObject(job, JobObjectCpuRateControlInformation, &info, sizeof info)) {
    return LastError("SetInformationJobObject", "CPU rate control");
  }
  return {};
}

// No access to the desktop, other processes' windows, the clipboard, global
// atoms, display and system settings, or ExitWindows.
Status SetUiRestrictions(HANDLE job) {
  JOBOBJECT_BASIC_UI_RESTRICTIONS info = {};
  info.UIRestrictionsClass = JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_DISPLAYSETTINGS |
                             JOB_OBJECT_UILIMIT_EXITWINDOWS | JOB_OBJECT_UILIMIT_GLOBALATOMS |
                             JOB_OBJECT_UILIMIT_HANDLES | JOB_OBJECT_UILIMIT_READCLIPBOARD |
                             JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS |
                             JOB_OBJECT_UILIMIT_WRITECLIPBOARD;
  if (!SetInformationJobObject(job, JobObjectBasicUIRestrictions, &info, sizeof info)) {
    return LastError("SetInformationJobObject", "UI restrictions");
  }
  return {};
}

Status AssociatePort(HANDLE job, HANDLE port) {
  JOBOBJECT_ASSOCIATE_COMPLETION_PORT info = {};
  info.CompletionKey = job;
  info.CompletionPort = port;
  if (!SetInformationJobObject(job, JobObjectAssociateCompletionPortInformation, &info,
                               sizeof info)) {
    return LastError("SetInformationJobObject", "completion port");
  }
  return {};
}

}  // namespace

Result<Job> Job::Create(const Limits& limits) {
  UniqueHandle job(CreateJobObjectW(nullptr, nullptr));
  if (!job) return LastError("CreateJobObjectW");
  UniqueHandle port(CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1));
  if (!port) return LastError("CreateIoCompletionPort");
  HOTPLEX_TRY_STATUS(AssociatePort(job.Get(), port.Get()));
  HOTPLEX_TRY_STATUS(SetExtendedLimits(job.Get(), limits));
  HOTPLEX_TRY_STATUS(SetCpuRate(job.Get(), limits.cpu_cores));
  HOTPLEX_TRY_STATUS(SetUiRestrictions(job.Get()));
  return Job(std::move(job), std::move(port));
}

Status Job::Assign(HANDLE process) const {
  if (!AssignProcessToJobObject(job_.Get(), process)) return LastError("AssignProcessToJobObject");
  return {};
}

void Job::Terminate(UINT exit_code) const { TerminateJobObject(job_.Get(), exit_code); }

Result<JobAccounting> Job::Query() const {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION basic = {};
  if (!QueryInformationJobObject(job_.Get(), JobObjectBasicAccountingInformation, &basic,
                                 sizeof basic, nullptr)) {
    return LastError("QueryInformationJobObject", "accounting");
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
  if (!QueryInformationJobObject(job_.Get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits, nullptr)) {
    return LastError("QueryInformationJobObject", "extended limits");
  }
  const auto& b = basic;
  return JobAccounting{b.ActiveProcesses,
                       b.TotalProcesses,
                       limits.PeakJobMemoryUsed,
                       limits.PeakProcessMemoryUsed,
                       static_cast<std::uint64_t>(b.TotalUserTime.QuadPart),
                       static_cast<std::uint64_t>(b.TotalKernelTime.QuadPart)};
}

Result<JobLimits> Job::QueryLimits() const {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
  if (!QueryInformationJobObject(job_.Get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits, nullptr)) {
    return LastError("QueryInformationJobObject", "extended limits");
  }
  return JobLimits{limits.BasicLimitInformation.LimitFlags, limits.JobMemoryLimit,
                   limits.BasicLimitInformation.ActiveProcessLimit};
}

Result<DWORD> Job::QueryUiRestrictions() const {
  JOBOBJECT_BASIC_UI_RESTRICTIONS ui = {};
  if (!QueryInformationJobObject(job_.Get(), JobObjectBasicUIRestrictions, &ui, sizeof ui,
                                 nullptr)) {
    return LastError("QueryInformationJobObject", "UI restrictions");
  }
  return ui.UIRestrictionsClass;
}

std::optional<JobMessage> Job::NextMessage(DWORD timeout_ms) const {
  DWORD id = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED overlapped = nullptr;
  if (!GetQueuedCompletionStatus(port_.Get(), &id, &key, &overlapped, timeout_ms))
    return std::nullopt;
  // For job messages the OVERLAPPED pointer carries the process id.
  return JobMessage{id, static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(overlapped))};
}

}  // namespace hotplex::sandbox::win32
