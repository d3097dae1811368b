// Text conversions for CreateProcess: UTF-8 <-> UTF-16, an argv quoted the way
// the MSVC runtime (CommandLineToArgvW) splits it back, and an explicit,
// sorted environment block. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotplex::sandbox::win32 {

std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);
// Joins argv into one command line; each argument survives the MSVC parsing rules.
std::wstring QuoteCommandLine(const std::vector<std::string>& argv);
// "K=V\0K=V\0\0", sorted case-insensitively by name as Windows expects; exactly `env`.
std::wstring EnvironmentBlock(const std::vector<std::string>& env);
// The value of `name` (case-insensitive, as Windows) in a "K=V" list; empty if absent.
std::string LookupEnv(const std::vector<std::string>& env, std::string_view name);

}  // namespace hotplex::sandbox::win32
