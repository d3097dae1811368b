#include "supervisor/daemon_process.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include "common/log_line.hpp"

namespace hotplex::supervisor {
namespace {

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  const bool raised = ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
  if (!raised) ::getrlimit(RLIMIT_NOFILE, &limit);
  LogLine(raised ? LogLevel::kInfo : LogLevel::kWarn, "serve",
          raised ? "open file limit" : "cannot raise the open file limit",
          {{"soft", limit.rlim_cur}, {"hard", limit.rlim_max}, {"was", before}});
}

}  // namespace

void PrepareDaemonProcess() {
  ::umask(077);
  RaiseOpenFileLimit();
}

}  // namespace hotplex::supervisor
