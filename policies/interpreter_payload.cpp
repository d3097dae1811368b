#include "policies/interpreter_payload.hpp"

#include <algorithm>
#include <array>

namespace hotplex::policies {
namespace {

bool IsInterpreter(std::string_view p) {
  if (p.starts_with("python"))
    return p.find_first_not_of("python0123456789.") == std::string_view::npos;
  static constexpr std::array<std::string_view, 9> kOthers = {
      "perl", "ruby", "node", "nodejs", "php", "lua", "luajit", "deno", "bun"};
  return std::find(kOthers.begin(), kOthers.end(), p) != kOthers.end();
}

bool SpawnsProcesses(std::string_view code) {
  static constexpr std::array<std::string_view, 12> kApis = {
      "system",     "exec",     "popen", "subprocess", "spawn",   "child_process",
      "shell_exec", "passthru", "`",     "os.exec",    "Process", "IO.popen"};
  return std::any_of(kApis.begin(), kApis.end(), [&](std::string_view api) {
    return code.find(api) != std::string_view::npos;
  });
}

std::vector<std::string> StringLiterals(std::string_view code) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char q = code[i];
    if (q != '\'' && q != '"' && q != '`') continue;
    std::string literal;
    std::size_t j = i + 1;
    for (; j < code.size() && code[j] != q; ++j) {
      if (code[j] == '\\' && j + 1 < code.size()) ++j;
      literal += code[j];
    }
    if (!literal.empty()) out.push_back(std::move(literal));
    i = j;
  }
  return out;
}

}  // namespace

std::string_view InterpreterCode(const std::vector<std::string>& words) {
  if (words.empty() || !IsInterpreter(words[0])) return {};
  for (std::size_t i = 1; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "-c" || w == "-e" || w == "-E" || w == "-r" || w == "-p" || w == "--eval" ||
        w == "--print")
      return words[i + 1];
  }
  return {};
}

std::string ShellTextInCode(std::string_view code) {
  if (!SpawnsProcesses(code)) return {};
  const std::vector<std::string> literals = StringLiterals(code);
  if (literals.empty()) return {};
  std::string lines, joined;
  for (const auto& l : literals) {
    lines += l + "\n";
    joined += (joined.empty() ? "" : " ") + l;
  }
  return lines + joined;
}

}  // namespace hotplex::policies
