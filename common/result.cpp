#include "common/result.hpp"

#include <cerrno>
#include <cstring>

namespace hotplex {
namespace {

// std::strerror may return a buffer that another thread's call overwrites;
// the GNU strerror_r returns a static string or fills ours. MinGW (the Windows
// cross build) has strerror_s instead.
std::string ErrnoText(int sys_errno) {
  char buf[128];
#ifdef _WIN32
  if (strerror_s(buf, sizeof buf, sys_errno) != 0) return "errno " + std::to_string(sys_errno);
  return buf;
#else
  return ::strerror_r(sys_errno, buf, sizeof buf);
#endif
}

}  // namespace

std::string Error::Describe() const {
  std::string out;
  if (!step.empty()) out += step;
  if (!message.empty()) out += (out.empty() ? "" : ": ") + message;
  if (sys_errno != 0) out += (out.empty() ? "" : ": ") + ErrnoText(sys_errno);
  return out;
}

Error ErrnoError(std::string step, std::string message) {
  const int saved = errno;
  return Error{std::move(message), saved, std::move(step)};
}

Error MakeError(std::string message) { return Error{std::move(message), 0, {}}; }

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(e.Describe());
}

}  // namespace hotplex
