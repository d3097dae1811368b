#include "sandbox/windows/launch_plan.hpp"

#include <vector>

#include "sandbox/backend.hpp"
#include "sandbox/windows/win32_command_line.hpp"
#include "sandbox/windows/win32_error.hpp"

namespace hotplex::sandbox::win32 {

namespace {

bool HasDirectory(const std::wstring& path) {
  return path.find_first_of(L"\\/:") != std::wstring::npos;
}
bool IsAbsolute(const std::wstring& path) {
  return (path.size() > 1 && path[1] == L':') ||
         (!path.empty() && (path[0] == L'\\' || path[0] == L'/'));
}

Result<std::wstring> ResolveWorkdir(const std::string& workdir) {
  std::wstring path = Widen(workdir);
  if (path.empty()) {
    std::wstring buffer(MAX_PATH * 4, L'\0');
    const DWORD n = GetCurrentDirectoryW(static_cast<DWORD>(buffer.size()), buffer.data());
    if (n == 0 || n >= buffer.size()) return LastError("GetCurrentDirectoryW");
    buffer.resize(n);
    path = buffer;
  }
  const DWORD attributes = GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return LastError("workdir", "WorkDir " + Narrow(path));
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    return MakeError("WorkDir " + Narrow(path) + " is not a directory");
  }
  if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
    return MakeError("WorkDir " + Narrow(path) + " is a symlink or junction; give its target");
  }
  return path;
}

bool IsFile(const std::wstring& path) {
  const DWORD attributes = GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY);
}

Error NotFound() { return Error{kSandboxSetupFailed, ERROR_FILE_NOT_FOUND, "SearchPathW"}; }

// A path is used as given (relative to the WorkDir), with ".exe" added if needed;
// a bare name is searched in the PATH the payload will have, not the daemon's.
Result<std::wstring> ResolveProgram(const SandboxSpec& spec, const std::wstring& workdir) {
  std::wstring name = Widen(spec.argv.front());
  if (HasDirectory(name)) {
    const std::wstring path = IsAbsolute(name) ? name : workdir + L"\\" + name;
    if (IsFile(path)) return path;
    if (IsFile(path + L".exe")) return path + L".exe";
    return NotFound();
  }
  const std::wstring search_path = Widen(LookupEnv(spec.env, "PATH"));
  size_t start = 0;
  while (start <= search_path.size()) {
    size_t end = search_path.find(L';', start);
    if (end == std::wstring::npos) end = search_path.size();
    const std::wstring dir = search_path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    wchar_t found[MAX_PATH * 4] = {};
    if (SearchPathW(dir.c_str(), name.c_str(), L".exe", MAX_PATH * 4, found, nullptr) != 0) {
      return std::wstring(found);
    }
  }
  return NotFound();
}

HANDLE InheritableCopy(HANDLE source) {
  HANDLE copy = nullptr;
  if (source == nullptr) {
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
    return CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                       &inherit, OPEN_EXISTING, 0, nullptr);
  }
  if (!DuplicateHandle(GetCurrentProcess(), source, GetCurrentProcess(), &copy, 0, TRUE,
                       DUPLICATE_SAME_ACCESS)) {
    return nullptr;
  }
  return copy;
}

}  // namespace

Result<LaunchPlan> MakeLaunchPlan(const SandboxSpec& spec) {
  if (spec.argv.empty()) return MakeError("no command given");
  HOTPLEX_TRY(std::wstring workdir, ResolveWorkdir(spec.workdir));
  HOTPLEX_TRY(std::wstring application, ResolveProgram(spec, workdir));
  return LaunchPlan{std::move(application), QuoteCommandLine(spec.argv), EnvironmentBlock(spec.env),
                    std::move(workdir)};
}

Result<InheritedStdio> InheritStdio(const Stdio& stdio) {
  InheritedStdio out{UniqueHandle(InheritableCopy(static_cast<HANDLE>(stdio.in))),
                     UniqueHandle(InheritableCopy(static_cast<HANDLE>(stdio.out))),
                     UniqueHandle(InheritableCopy(static_cast<HANDLE>(stdio.err)))};
  if (!out.in || !out.out || !out.err) return LastError("DuplicateHandle", "stdio");
  return out;
}

Result<StartedProcess> StartSuspended(const LaunchPlan& plan, HANDLE token,
                                      const InheritedStdio& stdio) {
  HANDLE inherited[] = {stdio.in.Get(), stdio.out.Get(), stdio.err.Get()};
  SIZE_T size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
  std::vector<char> storage(size);
  auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage.data());
  if (!InitializeProcThreadAttributeList(attributes, 1, 0, &size)) {
    return LastError("InitializeProcThreadAttributeList");
  }
  // Only these three handles are inherited, whatever else is inheritable.
  const BOOL listed = UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                                inherited, sizeof inherited, nullptr, nullptr);
  if (!listed) {
    auto error = LastError("UpdateProcThreadAttribute");
    DeleteProcThreadAttributeList(attributes);
    return error;
  }
  STARTUPINFOEXW startup = {};
  startup.StartupInfo.cb = sizeof startup;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = stdio.in.Get();
  startup.StartupInfo.hStdOutput = stdio.out.Get();
  startup.StartupInfo.hStdError = stdio.err.Get();
  startup.lpAttributeList = attributes;
  const DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT |
                      CREATE_NO_WINDOW;
  std::wstring command_line = plan.command_line;  // CreateProcess may write to it
  std::wstring environment = plan.environment;
  PROCESS_INFORMATION info = {};
  const BOOL ok = token != nullptr
                      ? CreateProcessAsUserW(token, plan.application.c_str(), command_line.data(),
                                             nullptr, nullptr, TRUE, flags, environment.data(),
                                             plan.workdir.c_str(), &startup.StartupInfo, &info)
                      : CreateProcessW(plan.application.c_str(), command_line.data(), nullptr,
                                       nullptr, TRUE, flags, environment.data(),
                                       plan.workdir.c_str(), &startup.StartupInfo, &info);
  auto error =
      ok ? Error{} : LastError(token != nullptr ? "CreateProcessAsUserW" : "CreateProcessW");
  DeleteProcThreadAttributeList(attributes);
  if (!ok) return error;
  return StartedProcess{UniqueHandle(info.hProcess), UniqueHandle(info.hThread), info.dwProcessId};
}

}  // namespace hotplex::sandbox::win32
