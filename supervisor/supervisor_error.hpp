// SupervisorError: why a client request to the supervisor was refused. The kind
// maps one-to-one onto an HTTP status in api/ (400, 404, 409, 413, 429, 503, 500).
// Thread-safety: value type.
#pragma once

#include <string>

#include <boost/system/result.hpp>

namespace hotplex::supervisor {

enum class ErrorKind {
  kBadRequest,        // malformed or disallowed request (400)
  kNotFound,          // no such session for this tenant (404)
  kConflict,          // the session cannot do that in its state (409)
  kPromptTooLarge,    // prompt over the policy's max_prompt_bytes (413)
  kTooManySessions,   // tenant at the policy's max_sessions (429)
  kUnavailable,       // shutting down, or the sandbox could not start (503)
  kAuditUnavailable,  // the audit store cannot write: fail closed (503)
  kDraining,          // the operator drains the daemon: no new sessions (503)
  kInternal,          // a bug or a broken host (500)
};

const char* ErrorKindCode(ErrorKind kind);  // "bad_request", "not_found", ...

struct SupervisorError {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
};

[[noreturn]] void throw_exception_from_error(const SupervisorError& e,
                                             const boost::source_location& loc);

template <class T>
using SvResult = boost::system::result<T, SupervisorError>;

inline SupervisorError SvError(ErrorKind kind, std::string message) {
  return SupervisorError{kind, std::move(message)};
}

}  // namespace hotplex::supervisor
