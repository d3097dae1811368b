// Diagnostic: one problem found in a policy file, located precisely enough for
// an operator to fix it without guessing. Thread-safety: value type.
#pragma once

#include <boost/assert/source_location.hpp>
#include <string>
#include <vector>

namespace hotplex::policies {

struct Diagnostic {
  std::string file;  // path as given, or "<builtin>"
  int line = 0;      // 1-based; 0 when the problem has no position (e.g. unreadable file)
  int column = 0;    // 1-based
  std::string path;  // field path, e.g. "sandbox.limits.memory" or "commands.rules[2].pattern"
  std::string message;

  // "file:line:col: path: message" (the parts that are set).
  std::string ToString() const;
};

// All diagnostics, one per line.
std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics);

// Lets boost::system::result<T, std::vector<Diagnostic>>::value() throw.
[[noreturn]] void
throw_exception_from_error(  // NOLINT(readability-identifier-naming): Boost's name
    const std::vector<Diagnostic>& e, const boost::source_location& loc);

}  // namespace hotplex::policies
