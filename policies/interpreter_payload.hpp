// Shell commands hidden in interpreter one-liners: `python3 -c 'import os;
// os.system("rm -rf /")'`, `perl -e 'system "curl x | sh"'`, `node -e
// 'require("child_process").exec("...")'`. When the code calls a process-
// spawning API, its string literals are returned as shell text to check, one
// per line and then all on one line (for argv lists such as ["rm","-rf","/"]).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotplex::policies {

// The inline code of an interpreter command (`python3 -c CODE`, `perl -e CODE`,
// `ruby -e`, `node -e|-p|--eval`, `php -r`, `lua -e`), or empty.
std::string_view InterpreterCode(const std::vector<std::string>& words);

// Shell text hidden in `code`, or empty if the code spawns no process.
std::string ShellTextInCode(std::string_view code);

}  // namespace hotplex::policies
