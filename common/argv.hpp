// ArgvParser: the one command-line parser of every front end (hotplexd's
// sub-commands, hotplexd-run.exe, the fake agent and fake Anthropic server).
// Options are declared up front, each with a name (and aliases), whether it
// takes a value, and where the value goes; Parse then walks the arguments once:
//   --name VALUE and --name=VALUE  an option with a value
//   --switch                       an option without one
//   --                             ends the options: the rest is positional
//   anything else                  positional (or, with StopAtPositional, the
//                                  first of a command line to run)
// Typed conversion and validation stay with the caller (a handler returns a
// Status), so every front end keeps its own error messages for bad values.
// Portable (no system calls): the Windows cross build compiles it too.
// Thread-safety: a parser is built and used by one thread; Parse is const.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hotplex {

class ArgvParser {
 public:
  using ValueHandler = std::function<Status(const std::string& value)>;

  // What an option that was not declared does.
  enum class UnknownOptions {
    kError,   // "unknown option '--x'" (the default)
    kKeep,    // returned with the positionals, in order (a later stage parses them)
    kIgnore,  // dropped (a fake of a program with many flags)
  };

  // An option without a value; `out` becomes true when it is given.
  ArgvParser& Switch(std::initializer_list<std::string_view> names, bool& out);
  // An option with a value, stored in `out` (the last one given wins).
  ArgvParser& Value(std::initializer_list<std::string_view> names, std::string& out);
  // An option with a value, handed to `handler` each time it is given.
  ArgvParser& Value(std::initializer_list<std::string_view> names, ValueHandler handler);
  // The first positional and everything after it are positional, options or not
  // (`hotplexd run --pids 3 echo --flag`).
  ArgvParser& StopAtPositional();
  ArgvParser& Unknown(UnknownOptions mode);

  // The positionals, in order. An error names the option and what was wrong.
  Result<std::vector<std::string>> Parse(const std::vector<std::string>& args) const;

 private:
  struct Option {
    std::vector<std::string> names;
    bool* flag = nullptr;   // a switch
    ValueHandler on_value;  // an option with a value
  };
  const Option* Find(std::string_view name) const;
  Status Apply(const Option& option, std::string_view name, const std::string* inline_value,
               const std::vector<std::string>& args, std::size_t& i) const;

  std::vector<Option> options_;
  bool stop_at_positional_ = false;
  UnknownOptions unknown_ = UnknownOptions::kError;
};

// argv[first..argc) as strings.
std::vector<std::string> ArgsOf(int argc, char** argv, int first = 1);

}  // namespace hotplex
