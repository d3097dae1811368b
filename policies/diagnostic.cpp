#include "policies/diagnostic.hpp"

#include <stdexcept>

namespace hotplex::policies {

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

void throw_exception_from_error(const std::vector<Diagnostic>& e, const boost::source_location&) {
  throw std::runtime_error(FormatDiagnostics(e));
}

}  // namespace hotplex::policies
