// win-payload.exe: the helper the Windows backend tests run inside a job.
//   exit N          exit with status N
//   echo            copy stdin to stdout ("out:" prefix) and stderr ("err:" prefix)
//   env             print the environment, one K=V per line
//   cwd             print the current directory
//   sleep MS        sleep
//   hog MB          commit and touch MB MiB, 1 MiB at a time; exit 3 if an allocation fails
//   spawn N         start N children that sleep; print "spawned K" (K = those that started)
//   tree [exit]     start a child that starts a grandchild; print "pids C G"; then sleep, or exit 0
//   injob           print "in job 1" if this process runs in a job from its start
//   token           print "integrity RID privileges N" of this process's token
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::wstring SelfPath() {
  wchar_t path[MAX_PATH * 4] = {};
  GetModuleFileNameW(nullptr, path, MAX_PATH * 4);
  return path;
}

// Starts this program with `args`, sharing stdio; returns the process id or 0.
DWORD StartSelf(const std::wstring& args, HANDLE* process_out = nullptr) {
  std::wstring command_line = L"\"" + SelfPath() + L"\" " + args;
  STARTUPINFOW startup = {};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info = {};
  if (!CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                      &startup, &info)) {
    return 0;
  }
  CloseHandle(info.hThread);
  if (process_out)
    *process_out = info.hProcess;
  else
    CloseHandle(info.hProcess);
  return info.dwProcessId;
}

int Echo() {
  std::string data;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) data.append(buffer, n);
  std::printf("out:%s", data.c_str());
  std::fprintf(stderr, "err:%s", data.c_str());
  return 0;
}

int Env() {
  wchar_t* block = GetEnvironmentStringsW();
  for (const wchar_t* e = block; *e; e += wcslen(e) + 1) std::printf("%ls\n", e);
  FreeEnvironmentStringsW(block);
  return 0;
}

int Cwd() {
  wchar_t dir[MAX_PATH * 4] = {};
  GetCurrentDirectoryW(MAX_PATH * 4, dir);
  std::printf("%ls\n", dir);
  return 0;
}

int Hog(int megabytes) {
  for (int i = 0; i < megabytes; ++i) {
    auto* chunk = static_cast<char*>(
        VirtualAlloc(nullptr, 1 << 20, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
    if (chunk == nullptr) {
      std::printf("allocation failed after %d MiB\n", i);
      return 3;
    }
    for (int off = 0; off < (1 << 20); off += 4096) chunk[off] = 1;
  }
  std::printf("allocated %d MiB\n", megabytes);
  return 0;
}

int Spawn(int count) {
  std::vector<HANDLE> children;
  int started = 0;
  for (int i = 0; i < count; ++i) {
    HANDLE process = nullptr;
    if (StartSelf(L"sleep 60000", &process) != 0) {
      ++started;
      children.push_back(process);
    }
  }
  std::printf("spawned %d\n", started);
  return 0;
}

int Tree(bool exit_after) {
  HANDLE child = nullptr;
  if (StartSelf(L"child", &child) == 0) return 4;
  // The child prints the pids on the shared stdout.
  Sleep(exit_after ? 2000 : INFINITE);
  return 0;
}

int Child() {
  const DWORD grandchild = StartSelf(L"sleep 600000");
  if (grandchild == 0) return 5;
  std::printf("pids %lu %lu\n", GetCurrentProcessId(), grandchild);
  std::fflush(stdout);
  Sleep(INFINITE);
  return 0;
}

int InJob() {
  BOOL in_job = FALSE;
  if (!IsProcessInJob(GetCurrentProcess(), nullptr, &in_job)) return 7;
  std::printf("in job %d\n", in_job ? 1 : 0);
  return 0;
}

int Token() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return 6;
  char buffer[4096];
  DWORD size = 0;
  DWORD rid = 0;
  if (GetTokenInformation(token, TokenIntegrityLevel, buffer, sizeof buffer, &size)) {
    auto* label = reinterpret_cast<TOKEN_MANDATORY_LABEL*>(buffer);
    rid = *GetSidSubAuthority(label->Label.Sid, *GetSidSubAuthorityCount(label->Label.Sid) - 1);
  }
  DWORD privileges = 0;
  if (GetTokenInformation(token, TokenPrivileges, buffer, sizeof buffer, &size)) {
    privileges = reinterpret_cast<TOKEN_PRIVILEGES*>(buffer)->PrivilegeCount;
  }
  std::printf("integrity %lu privileges %lu\n", rid, privileges);
  CloseHandle(token);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Binary stdio: the tests compare bytes, not text-mode CRLF.
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
  const std::string mode = argc > 1 ? argv[1] : "";
  const int n = argc > 2 ? std::atoi(argv[2]) : 0;
  if (mode == "exit") return n;
  if (mode == "echo") return Echo();
  if (mode == "env") return Env();
  if (mode == "cwd") return Cwd();
  if (mode == "sleep") {
    Sleep(static_cast<DWORD>(n));
    return 0;
  }
  if (mode == "hog") return Hog(n);
  if (mode == "spawn") return Spawn(n);
  if (mode == "tree") return Tree(argc > 2 && std::string(argv[2]) == "exit");
  if (mode == "child") return Child();
  if (mode == "token") return Token();
  if (mode == "injob") return InJob();
  std::fprintf(stderr, "win-payload: unknown mode '%s'\n", mode.c_str());
  return 100;
}
