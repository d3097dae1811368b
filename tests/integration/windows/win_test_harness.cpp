#include "win_test_harness.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "sandbox/windows/win32_command_line.hpp"

namespace hotplex::sandbox::win32::testing {

bool RunningUnderWine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

std::wstring BinaryDir() {
  wchar_t path[MAX_PATH * 4] = {};
  GetModuleFileNameW(nullptr, path, MAX_PATH * 4);
  std::wstring dir = path;
  return dir.substr(0, dir.find_last_of(L"\\/"));
}

std::string PayloadPath() { return Narrow(BinaryDir() + L"\\win-payload.exe"); }

SandboxSpec PayloadSpec(const std::vector<std::string>& args) {
  SandboxSpec spec;
  spec.id = "test";
  spec.argv = {PayloadPath()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"SystemRoot=C:\\windows", "PATH=C:\\windows\\system32;C:\\windows",
              "HOTPLEX_GIVEN=yes"};
  wchar_t temp[MAX_PATH] = {};
  GetTempPathW(MAX_PATH, temp);
  static int counter = 0;
  std::wstring dir = std::wstring(temp) + L"hotplex-job-test-" +
                     std::to_wstring(GetCurrentProcessId()) + L"-" + std::to_wstring(++counter);
  CreateDirectoryW(dir.c_str(), nullptr);
  spec.workdir = Narrow(dir);
  return spec;
}

namespace {

struct Pipe {
  UniqueHandle read, write;
};

Pipe MakePipe() {
  HANDLE r = nullptr, w = nullptr;
  if (!CreatePipe(&r, &w, nullptr, 0)) ADD_FAILURE() << "CreatePipe failed: " << GetLastError();
  return {UniqueHandle(r), UniqueHandle(w)};
}

}  // namespace

Launched LaunchWithPipes(Backend& backend, SandboxSpec spec) {
  Pipe in = MakePipe(), out = MakePipe(), err = MakePipe();
  spec.stdio = {in.read.Get(), out.write.Get(), err.write.Get()};
  auto sandbox = backend.Launch(spec);
  if (!sandbox) {
    ADD_FAILURE() << "Launch failed: " << sandbox.error().step << ": " << sandbox.error().message
                  << " (" << sandbox.error().sys_errno << ")";
    return {};
  }
  // The child holds its own copies; ours must go so that EOF arrives.
  return {std::move(*sandbox), std::move(in.write), std::move(out.read), std::move(err.read)};
}

std::string ReadAll(HANDLE pipe) {
  std::string data;
  char buffer[4096];
  DWORD n = 0;
  while (ReadFile(pipe, buffer, sizeof buffer, &n, nullptr) && n > 0) data.append(buffer, n);
  return data;
}

std::string ReadLine(HANDLE pipe) {
  std::string line;
  char c = 0;
  DWORD n = 0;
  while (ReadFile(pipe, &c, 1, &n, nullptr) && n == 1 && c != '\n') line += c;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Finished RunToEnd(Backend& backend, SandboxSpec spec, const std::string& input) {
  Launched l = LaunchWithPipes(backend, std::move(spec));
  if (!l.sandbox) return {Outcome::SetupFailed("launch", 0), {}, {}, nullptr};
  DWORD written = 0;
  if (!input.empty())
    WriteFile(l.stdin_write.Get(), input.data(), static_cast<DWORD>(input.size()), &written,
              nullptr);
  l.stdin_write.Reset();
  // Wait first: processes the payload left behind may hold the pipes until
  // the sandbox ends and kills them.
  std::string out, err;
  std::thread out_reader([&] { out = ReadAll(l.stdout_read.Get()); });
  std::thread err_reader([&] { err = ReadAll(l.stderr_read.Get()); });
  const Outcome outcome = l.sandbox->Wait();
  out_reader.join();
  err_reader.join();
  return {outcome, out, err, std::move(l.sandbox)};
}

bool ProcessEnds(DWORD pid, DWORD timeout_ms) {
  UniqueHandle process(OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process) return GetLastError() == ERROR_INVALID_PARAMETER;  // no such process any more
  return WaitForSingleObject(process.Get(), timeout_ms) == WAIT_OBJECT_0;
}

int RunProgram(const std::wstring& command_line, DWORD timeout_ms) {
  std::wstring line = command_line;
  STARTUPINFOW startup = {};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info = {};
  if (!CreateProcessW(nullptr, line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &startup,
                      &info)) {
    return -1;
  }
  UniqueHandle process(info.hProcess), thread(info.hThread);
  if (WaitForSingleObject(process.Get(), timeout_ms) != WAIT_OBJECT_0) {
    TerminateProcess(process.Get(), 1);
    return -2;
  }
  DWORD code = 0;
  GetExitCodeProcess(process.Get(), &code);
  return static_cast<int>(code);
}

}  // namespace hotplex::sandbox::win32::testing
