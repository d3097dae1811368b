#include "sandbox/outcome.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>

namespace hotplex::sandbox {
namespace {

struct Case {
  Outcome outcome;
  int exit_code;
  const char* text;
};

TEST(Outcome, ShellExitCodesAndDescriptions) {
  Outcome oom{OutcomeKind::kOomKilled, 0, {}, 0, 64ull << 20};
  Outcome timed{OutcomeKind::kTimedOut, 0, {}, 0, 0};
  Outcome killed{OutcomeKind::kKilled, 0, {}, 0, 0};
  const Case cases[] = {
      {Outcome::Exited(0), 0, "exited with status 0"},
      {Outcome::Exited(42), 42, "exited with status 42"},
      {Outcome::Signaled(SIGSEGV), 139, "killed by signal 11 (SIGSEGV)"},
      {oom, 137, "killed: out of memory (limit 64 MiB)"},
      {timed, 124, "killed: wall-time limit reached"},
      {killed, 137, "killed"},
      {Outcome::SetupFailed("execve", ENOENT), 127,
       "setup failed at step execve: No such file or directory"},
      {Outcome::SetupFailed("execve", EACCES), 126,
       "setup failed at step execve: Permission denied"},
      {Outcome::SetupFailed("pivot_root", EINVAL), 126,
       "setup failed at step pivot_root: Invalid argument"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.outcome.ShellExitCode(), c.exit_code) << c.text;
    EXPECT_EQ(c.outcome.Describe(), c.text);
  }
}

TEST(Outcome, KindNames) {
  EXPECT_STREQ(OutcomeKindName(OutcomeKind::kOomKilled), "oom_killed");
  EXPECT_STREQ(OutcomeKindName(OutcomeKind::kSetupFailed), "setup_failed");
  EXPECT_STREQ(OutcomeKindName(OutcomeKind::kTimedOut), "timed_out");
}

}  // namespace
}  // namespace hotplex::sandbox
