// Result<T>: errors are values inside HotPlex; exceptions only at the edges.
//
// Error carries a human message and, when a system call failed, the errno and
// the name of the step that failed. Thread-safety: plain values.
#pragma once

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace hotplex {

struct Error {
  Error() = default;
  // Deliberately no one-argument constructor: Result<std::string> must stay
  // unambiguous. Use MakeError / ErrnoError.
  Error(std::string message_, int errno_, std::string step_)
      : message(std::move(message_)), sys_errno(errno_), step(std::move(step_)) {}

  std::string message;
  int sys_errno = 0;  // 0 when the failure is not a system call's
  std::string step;   // e.g. "pivot_root"; empty when not a setup step

  // "step: message: strerror(errno)" with the parts that are set.
  std::string Describe() const;
};

// Builds an Error from errno. errno is read here and nowhere else.
Error ErrnoError(std::string step, std::string message = {});
Error MakeError(std::string message);

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;
using Status = boost::system::result<void, Error>;

}  // namespace hotplex

// HOTPLEX_TRY(auto x, Expr()) assigns the value or returns the error.
#define HOTPLEX_CONCAT_INNER(a, b) a##b
#define HOTPLEX_CONCAT(a, b) HOTPLEX_CONCAT_INNER(a, b)
#define HOTPLEX_TRY(decl, expr) HOTPLEX_TRY_IMPL(HOTPLEX_CONCAT(hotplex_try_, __LINE__), decl, expr)
#define HOTPLEX_TRY_IMPL(tmp, decl, expr)  \
  auto tmp = (expr);                       \
  if (!tmp) return std::move(tmp).error(); \
  decl = std::move(*tmp)
// HOTPLEX_TRY_STATUS(Expr()) returns the error of a Status-returning call.
#define HOTPLEX_TRY_STATUS(expr)                                     \
  do {                                                               \
    auto hotplex_status_ = (expr);                                   \
    if (!hotplex_status_) return std::move(hotplex_status_).error(); \
  } while (0)
