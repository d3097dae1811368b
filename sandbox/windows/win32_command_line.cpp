#include "sandbox/windows/win32_command_line.hpp"

#include <windows.h>

#include <algorithm>
#include <cwctype>

namespace hotplex::sandbox::win32 {

std::wstring Widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int n =
      MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string Narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  const int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()),
                                    nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n,
                      nullptr, nullptr);
  return out;
}

namespace {

// Backslashes are literal unless they precede a quote; then they are doubled.
void AppendQuoted(std::wstring& out, const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    out += arg;
    return;
  }
  out += L'"';
  size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    out.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, L'\\');
  out += L'"';
}

std::wstring UpperName(const std::wstring& entry) {
  std::wstring name = entry.substr(0, entry.find(L'=', 1));
  for (auto& c : name) c = static_cast<wchar_t>(std::towupper(c));
  return name;
}

}  // namespace

std::wstring QuoteCommandLine(const std::vector<std::string>& argv) {
  std::wstring out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += L' ';
    AppendQuoted(out, Widen(arg));
  }
  return out;
}

std::wstring EnvironmentBlock(const std::vector<std::string>& env) {
  std::vector<std::wstring> entries;
  for (const auto& kv : env) entries.push_back(Widen(kv));
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return UpperName(a) < UpperName(b); });
  std::wstring block;
  for (const auto& e : entries) {
    block += e;
    block += L'\0';
  }
  // An empty block still needs two terminating NULs.
  if (block.empty()) block += L'\0';
  block += L'\0';
  return block;
}

std::string LookupEnv(const std::vector<std::string>& env, std::string_view name) {
  for (const auto& kv : env) {
    const auto eq = kv.find('=', 1);
    if (eq != name.size()) continue;
    if (CompareStringOrdinal(Widen(kv.substr(0, eq)).c_str(), -1, Widen(name).c_str(), -1, TRUE) ==
        CSTR_EQUAL) {
      return kv.substr(eq + 1);
    }
  }
  return {};
}

}  // namespace hotplex::sandbox::win32
