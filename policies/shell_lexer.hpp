// ShellLexer: splits POSIX/bash command text into words, operators and
// redirections, undoing the quoting tricks used to hide commands: quotes
// inside words (r''m), backslashes (r\m), ANSI-C strings ($'\x72m'), ${IFS}
// and $IFS word breaks, empty expansions ($@, ${9}), here-documents. Command
// substitutions ($(...), `...`, <(...), >(...)) stay in their word verbatim and
// are also returned in `nested` so the parser checks them as commands.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotplex::policies {

struct ShellToken {
  enum class Kind {
    kWord,
    kSeparator,  // ; ;; & && || newline ( ) and `()` of a function definition
    kPipe,       // | |&
    kRedirect,   // < > >> >& &> <& <> >| << <<- <<< with an optional fd prefix
  };
  Kind kind = Kind::kWord;
  std::string text;
};

struct LexOutput {
  std::vector<ShellToken> tokens;
  std::vector<std::string> nested;  // bodies of command/process substitutions
  bool unterminated = false;        // a quote or substitution ran to the end of input
  void Clear() {
    tokens.clear();
    nested.clear();
    unterminated = false;
  }
};

void LexShell(std::string_view text, LexOutput& out);

}  // namespace hotplex::policies
