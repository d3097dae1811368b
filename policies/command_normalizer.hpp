// Normalisation of one simple command's words, so that rules see one spelling
// of each command: leading keywords (`if`, `!`, `{`, `then`, ...) and variable
// assignments dropped, argv[0] reduced to its base name (/bin/rm -> rm),
// clustered short flags split (-rf -> -r -f) and long flags mapped to their
// short form (--recursive --force -> -r -f) for the programs that rules look
// at, path operands cleaned lexically (//, /./, a/.., trailing /).
//
// Unwrap() then says what a command runs on behalf of someone else: the inner
// command of wrappers (sudo, env, nohup, timeout, xargs, find -exec, ssh, ...)
// or a script to parse (bash -c BODY, eval ARGS, su -c BODY, here-strings fed
// to a shell). Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotplex::policies {

void NormalizeCommand(std::vector<std::string>& words);

// "/usr/../bin//x/" -> "/bin/x"; "~/" -> "~"; other words unchanged.
std::string NormalizePathWord(std::string_view word);

struct Unwrapped {
  enum class Kind { kNone, kCommand, kScript };
  Kind kind = Kind::kNone;
  std::size_t first = 0;  // kCommand: inner command is words[first, last)
  std::size_t last = 0;
  std::string script;  // kScript: shell text to parse
};

Unwrapped Unwrap(const std::vector<std::string>& words);

bool IsShellProgram(std::string_view program);

}  // namespace hotplex::policies
