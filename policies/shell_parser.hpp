// ShellParser: turns command text (a Bash tool's `command`, or a prompt) into
// the normalised pieces the firewall matches, so that no rule ever runs over a
// whole `sh -c` string only:
//   - every simple command, split at ; && || | & newlines ( ) and taken out of
//     $(...), `...`, <(...), bash/sh -c bodies, eval, wrappers (sudo, env,
//     xargs, find -exec, ssh host CMD, ...) and inline base64 payloads that
//     are decoded (echo PAYLOAD | base64 -d | sh);
//   - with variables assigned earlier in the input, brace groups and
//     `$(echo prog)` programs expanded (word_expansion.hpp), and shell text
//     inside interpreter one-liners that spawn processes (interpreter_payload.hpp);
//   - every pipeline of two or more commands;
//   - the whole script and the raw text without whitespace.
// Markdown code fences are dropped as lines only, so what they enclose is
// still checked. NUL and other control characters reject the input.
// Thread-safety: a ShellParser keeps scratch buffers; use one per thread.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "policies/shell_lexer.hpp"
#include "policies/word_expansion.hpp"

namespace hotplex::policies {

struct ParsedCommand {
  std::string program;  // argv[0] base name
  std::string line;     // normalised words joined by single spaces
};

struct ParsedScript {
  std::vector<ParsedCommand> commands;
  std::size_t command_count = 0;  // commands[0, command_count) are valid (buffers are reused)
  std::vector<std::string> pipelines;
  std::size_t pipeline_count = 0;  // pipelines[0, pipeline_count) are valid
  std::string script;              // all command lines joined by " ; "
  std::string raw;                 // the input without any whitespace
  std::string rejection;           // non-empty: the input must be refused without matching

  void Clear();
  ParsedCommand& AddCommand();
  std::string& AddPipeline();
};

class ShellParser {
 public:
  static constexpr std::size_t kMaxInputBytes = 1 << 20;
  static constexpr int kMaxDepth = 12;

  void Parse(std::string_view text, ParsedScript& out);

 private:
  // Scratch buffers of one nesting depth, reused from call to call.
  struct Level {
    LexOutput lex;
    std::vector<std::string> words;                  // the simple command being read
    std::vector<std::vector<std::string>> segments;  // innermost command of each pipeline stage
    std::size_t segment_count = 0;
  };
  void ParseText(std::string_view text, int depth, ParsedScript& out);
  // Adds a simple command and every command it wraps; leaves the innermost in `words`.
  void AddSimple(std::vector<std::string>& words, int depth, ParsedScript& out);
  void Expand(std::vector<std::string>& words);
  void FinishPipeline(Level& level, int depth, ParsedScript& out);
  void DecodeBase64Payloads(const Level& level, int depth, ParsedScript& out);
  Level& LevelAt(int depth);

  std::deque<Level> levels_;  // one per depth; a deque keeps references stable
  ShellVariables variables_;  // assignments seen so far in this input
};

// Strict RFC 4648 base64 (whitespace ignored, padding optional); empty on error.
std::string DecodeBase64(std::string_view text);

}  // namespace hotplex::policies
