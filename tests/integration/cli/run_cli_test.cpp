// `hotplexd run` end to end: exit statuses, stdio pass-through, the one-line
// outcome messages and the errors for bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

using ::testing::HasSubstr;

constexpr uid_t kUid = 61001;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class RunCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::chown(workdir_.Path().c_str(), kUid, kUid), 0); }

  CliResult Run(std::vector<std::string> args, const std::string& input = "") {
    ProcessSpec spec;
    spec.argv = {HOTPLEX_BINARY_DIR "/hotplexd"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = {"PATH=/usr/bin:/bin", "HOTPLEX_SECRET=leak-me"};
    spec.cwd = workdir_.Path();
    spec.stderr_path = scratch_.Path() + "/stderr";
    auto proc = PipedProcess::Spawn(spec);
    EXPECT_TRUE(proc) << proc.error().Describe();
    CliResult result;
    if (!proc) return result;
    if (!input.empty()) proc->WriteLine(input);
    proc->CloseStdin();
    while (auto line = proc->ReadLine(std::chrono::seconds(30))) result.out += *line + "\n";
    auto status = proc->Wait(std::chrono::seconds(30));
    EXPECT_TRUE(status.has_value());
    if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
    std::ifstream err(spec.stderr_path);
    result.err.assign(std::istreambuf_iterator<char>(err), {});
    return result;
  }

  TempDir workdir_{"hotplex-cli-work"};
  TempDir scratch_{"hotplex-cli-scratch"};
};

TEST_F(RunCli, ExitStatusPassesThrough) {
  EXPECT_EQ(Run({"run", "--", "/bin/sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(Run({"run", "--", "/bin/true"}).exit_code, 0);
}

TEST_F(RunCli, StdioPassesThroughAndHostEnvDoesNot) {
  auto r =
      Run({"run", "--", "/bin/sh", "-c", "read line; echo got:$line; echo err >&2; env"}, "hello");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("got:hello\n"));
  EXPECT_THAT(r.err, HasSubstr("err\n"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("leak-me")));
}

TEST_F(RunCli, SignalDeathIs128PlusN) {
  EXPECT_EQ(Run({"run", "--", "/bin/sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
}

TEST_F(RunCli, CommandNotFound) {
  auto r = Run({"run", "--", "foo-not-here"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.err, "hotplexd: command not found in sandbox: foo-not-here\n");
}

TEST_F(RunCli, OutOfMemoryIsOneLine) {
  auto r = Run({"run", "--memory", "64M", "--", "python3", "-c", "x = bytearray(512 << 20)"});
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.err, "hotplexd: sandbox killed: out of memory (limit 64 MiB)\n");
}

TEST_F(RunCli, WallTime) {
  auto r = Run({"run", "--wall-time", "300ms", "--", "sleep", "30"});
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_EQ(r.err, "hotplexd: sandbox killed: wall-time limit reached\n");
}

TEST_F(RunCli, WorkdirOptionAndWritesLandOnHost) {
  auto r = Run({"run", "--workdir", workdir_.Path(), "--", "/bin/sh", "-c", "echo data > out.txt"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(workdir_.Path() + "/out.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "data");
}

TEST_F(RunCli, BadInputIsAClearErrorWithStatus2) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"run", "--workdir", "/nonexistent-hotplex-dir", "--", "true"},
       "'/nonexistent-hotplex-dir': No such file"},
      {{"run", "--memory", "12X", "--", "true"}, "invalid size '12X'"},
      {{"run", "--mount", "/nonexistent-src:/data", "--", "true"}, "'/nonexistent-src'"},
      {{"run", "--"}, "no command given"},
      {{"run", "--workdir", "/", "--", "true"}, "host root"},
  };
  for (const auto& c : cases) {
    auto r = Run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
}

TEST_F(RunCli, PolicyFileSetsSandboxAndFlagsOverrideIt) {
  const std::string policy = scratch_.Path() + "/team.yaml";
  std::ofstream(policy) << "sandbox:\n  limits:\n    memory: 48MiB\n    open_files: 99\n"
                           "env:\n  set:\n    TEAM: backend\n";
  auto r =
      Run({"run", "--policy", policy, "--", "/bin/sh", "-c",
           "env | sort; ulimit -n; python3 -c 'x = bytearray(96 << 20)' 2>/dev/null; echo py=$?"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("TEAM=backend\n"));
  EXPECT_THAT(r.out, HasSubstr("99\n"));
  EXPECT_THAT(r.out, HasSubstr("py=137"));  // 96 MiB does not fit in the policy's 48 MiB
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("HOTPLEX_SECRET")));
  auto bigger = Run({"run", "--policy", policy, "--memory", "512M", "--", "python3", "-c",
                     "x = bytearray(96 << 20)"});
  EXPECT_EQ(bigger.exit_code, 0) << bigger.err;
}

TEST_F(RunCli, InvalidPolicyListsEveryErrorWithPosition) {
  const std::string policy = scratch_.Path() + "/bad.yaml";
  std::ofstream(policy) << "sandbox:\n  limts: {}\n  network: {mode: host}\n";
  auto r = Run({"run", "--policy", policy, "--", "true"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(policy +
                               ":2:3: sandbox.limts: unknown key 'limts'; did you mean 'limits'?"));
  EXPECT_THAT(r.err, HasSubstr(policy + ":3:19: sandbox.network.mode"));
}

TEST_F(RunCli, HelpAndVersion) {
  auto help = Run({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: hotplexd run"));
  auto top = Run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("run"));
  auto version = Run({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("hotplexd "));
}

}  // namespace
}  // namespace hotplex::testing
