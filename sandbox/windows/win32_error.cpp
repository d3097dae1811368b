#include "sandbox/windows/win32_error.hpp"

namespace hotplex::sandbox::win32 {

Error LastError(std::string step, std::string what) {
  const DWORD code = GetLastError();
  std::string message =
      what.empty() ? FormatWin32Error(code) : what + ": " + FormatWin32Error(code);
  return Error{std::move(message), static_cast<int>(code), std::move(step)};
}

std::string FormatWin32Error(DWORD code) {
  char buffer[512] = {};
  const DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                 nullptr, code, 0, buffer, sizeof buffer, nullptr);
  std::string text(buffer, n);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty()) text = "Win32 error";
  return text + " (error " + std::to_string(code) + ")";
}

std::string DescribeWin32(const Error& error) {
  if (error.step.empty()) return error.message;
  return error.step + ": " + error.message;
}

}  // namespace hotplex::sandbox::win32
