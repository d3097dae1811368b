// The few shell expansions the firewall performs itself, because they are how
// a command name or target gets hidden without any quoting trick:
//   - variables assigned earlier in the same input (`a=rm; $a -rf /`);
//   - brace expansion (`rm -rf {/etc,/usr}`);
//   - a program produced by `$(echo rm)` / `$(printf rm)`.
// Anything else (values from the environment, arbitrary substitutions) stays
// unexpanded, and the substitution bodies are checked as commands on their own.
// Thread-safety: ShellVariables is a per-parse value; the functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hotplex::policies {

class ShellVariables {
 public:
  void Clear() { vars_.clear(); }
  bool Empty() const { return vars_.empty(); }
  // Records `words` if they are only assignments (optionally after export,
  // declare, local, readonly, typeset); returns true if they were. At most 64
  // variables of at most 4 KiB each are kept; others stay unexpanded.
  bool Record(const std::vector<std::string>& words);
  // Replaces $NAME for every recorded NAME in every word.
  void Expand(std::vector<std::string>& words) const;

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

// Expands {a,b} groups (not ${...} or $(...)); at most 32 words per input word.
void ExpandBraces(std::vector<std::string>& words);

// If words[0] (after assignments) is `$(echo X...)` or `$(printf X...)`, the
// words it prints, else empty.
std::vector<std::string> EchoedProgram(std::string_view word);

bool IsAssignmentWord(std::string_view word);

}  // namespace hotplex::policies
