#include "sandbox/setup_report.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hotplex::sandbox {
namespace {

struct Record {
  char step[40];
  std::int32_t err;
};

}  // namespace

void ReportSetupFailureErrno(int report_fd, const char* step, int err) {
  Record record{};
  // strncpy is async-signal-safe in practice (no allocation, no locks).
  std::strncpy(record.step, step, sizeof(record.step) - 1);
  record.err = err;
  // A short write is impossible for a record smaller than PIPE_BUF.
  [[maybe_unused]] const ssize_t n = ::write(report_fd, &record, sizeof(record));
  ::_exit(kSetupFailedExitCode);
}

void ReportSetupFailure(int report_fd, const char* step) {
  ReportSetupFailureErrno(report_fd, step, errno);
}

Result<std::optional<SetupFailure>> ReadSetupReport(int read_fd) {
  Record record{};
  std::size_t got = 0;
  while (got < sizeof(record)) {
    const ssize_t n = ::read(read_fd, reinterpret_cast<char*>(&record) + got, sizeof(record) - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read setup report");
    }
    got += static_cast<std::size_t>(n);
  }
  if (got == 0) return std::optional<SetupFailure>();
  if (got != sizeof(record)) return MakeError("truncated setup report from sandbox child");
  record.step[sizeof(record.step) - 1] = '\0';
  return std::optional<SetupFailure>(SetupFailure{record.step, record.err});
}

}  // namespace hotplex::sandbox
