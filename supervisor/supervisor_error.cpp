#include "supervisor/supervisor_error.hpp"

#include <stdexcept>

namespace hotplex::supervisor {

const char* ErrorKindCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRequest: return "bad_request";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kPromptTooLarge: return "prompt_too_large";
    case ErrorKind::kTooManySessions: return "too_many_sessions";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kAuditUnavailable: return "audit_unavailable";
    case ErrorKind::kDraining: return "draining";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

void throw_exception_from_error(const SupervisorError& e, const boost::source_location&) {
  throw std::runtime_error(std::string(ErrorKindCode(e.kind)) + ": " + e.message);
}

}  // namespace hotplex::supervisor
