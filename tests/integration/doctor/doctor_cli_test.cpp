// `hotplexd doctor` on this machine: the JSON shape, the exit codes, and the
// results for what is true here (user namespaces, seccomp, cgroups with their
// controllers, the docker socket with its API version, the claude CLI), plus
// the failures a test can cause: a port in use, a world-writable state dir, a
// readable secret, a missing claude command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>

#include "tests/support/claude_cli.hpp"
#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

struct DoctorRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  Json json;
};

// A listening socket on an ephemeral loopback port, held for the test's lifetime.
class BusyPort {
 public:
  BusyPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_.Get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_.Get(), 1), 0);
    EXPECT_EQ(::getsockname(fd_.Get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  std::uint16_t Port() const { return port_; }

 private:
  UniqueFd fd_;
  std::uint16_t port_ = 0;
};

// A port that was free a moment ago (bound to 0, then released).
std::uint16_t FreePort() { return BusyPort().Port(); }

class Doctor : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ClaudeMissingReason(), "") << "doctor's claude_cli check runs the real CLI";
    state_ = dir_.Path() + "/state";
    WriteConfig({ClaudeBinary()});
  }

  void WriteConfig(const std::vector<std::string>& claude_command) {
    Json command = claude_command;
    std::ofstream(config_) << "claude_code:\n  command: " << command.dump() << "\n";
  }

  DoctorRun Run(std::vector<std::string> args) {
    ProcessSpec spec;
    spec.argv = {HOTPLEX_BINARY_DIR "/hotplexd", "doctor"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = {"PATH=/usr/bin:/bin:/usr/sbin:/sbin"};
    spec.stderr_path = dir_.Path() + "/stderr";
    auto proc = PipedProcess::Spawn(spec);
    EXPECT_TRUE(proc) << proc.error().Describe();
    DoctorRun run;
    if (!proc) return run;
    proc->CloseStdin();
    while (auto line = proc->ReadLine(std::chrono::seconds(60))) run.out += *line + "\n";
    auto status = proc->Wait(std::chrono::seconds(30));
    EXPECT_TRUE(status.has_value());
    if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
    std::ifstream err(spec.stderr_path);
    run.err.assign(std::istreambuf_iterator<char>(err), {});
    run.json = Json::parse(run.out, nullptr, false);
    return run;
  }

  // --json with this test's config and state dir, and the given ports.
  DoctorRun RunJson(std::uint16_t api_port, std::uint16_t admin_port) {
    return Run({"--json", "--config", config_, "--state-dir", state_, "--listen",
                "127.0.0.1:" + std::to_string(api_port), "--admin-listen",
                "127.0.0.1:" + std::to_string(admin_port)});
  }

  static Json Check(const DoctorRun& run, const std::string& name) {
    for (const auto& c : run.json["checks"]) {
      if (c["name"] == name) return c;
    }
    ADD_FAILURE() << "no check named " << name << " in " << run.out;
    return Json::object();
  }

  TempDir dir_{"hotplex-doctor"};
  std::string state_;
  std::string config_ = dir_.Path() + "/config.yaml";
};

TEST_F(Doctor, JsonHasEveryCheckWithStatusDetailAndFix) {
  auto run = RunJson(FreePort(), FreePort());
  ASSERT_TRUE(run.json.is_object()) << run.out << run.err;
  const std::vector<std::string> names = {"kernel",    "user_namespaces", "cgroups",
                                          "seccomp",   "docker",          "claude_cli",
                                          "state_dir", "port_api",        "port_admin"};
  ASSERT_EQ(run.json["checks"].size(), names.size()) << run.out;
  int counted[3] = {0, 0, 0};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& c = run.json["checks"][i];
    EXPECT_EQ(c["name"], names[i]);
    ASSERT_TRUE(c["status"] == "pass" || c["status"] == "warn" || c["status"] == "fail") << c;
    EXPECT_FALSE(c["detail"].get<std::string>().empty()) << c;
    // A check that did not pass must say how to fix it.
    EXPECT_EQ(c["status"] == "pass", c["fix"].get<std::string>().empty()) << c;
    ++counted[c["status"] == "pass" ? 0 : c["status"] == "warn" ? 1 : 2];
  }
  EXPECT_EQ(run.json["summary"]["pass"], counted[0]);
  EXPECT_EQ(run.json["summary"]["warn"], counted[1]);
  EXPECT_EQ(run.json["summary"]["fail"], counted[2]);
  EXPECT_EQ(run.json["exit_code"], run.exit_code);
}

TEST_F(Doctor, ThisMachinePassesEveryCheckAndExitsZero) {
  auto run = RunJson(FreePort(), FreePort());
  ASSERT_TRUE(run.json.is_object()) << run.out << run.err;
  for (const auto& c : run.json["checks"]) EXPECT_EQ(c["status"], "pass") << c;
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(Check(run, "user_namespaces")["detail"].get<std::string>(),
              HasSubstr("unprivileged"));
  EXPECT_THAT(Check(run, "seccomp")["detail"].get<std::string>(), HasSubstr("EPERM"));
  const auto cgroups = Check(run, "cgroups")["detail"].get<std::string>();
  EXPECT_THAT(cgroups, ::testing::MatchesRegex("v[12] at /sys/fs/cgroup.*"));
  EXPECT_THAT(cgroups, HasSubstr("memory"));
  EXPECT_THAT(cgroups, HasSubstr("pids"));
  EXPECT_THAT(Check(run, "docker")["detail"].get<std::string>(),
              ::testing::ContainsRegex("API 1\\.4[0-9]"));
  const auto claude = Check(run, "claude_cli")["detail"].get<std::string>();
  EXPECT_THAT(claude, HasSubstr("(Claude Code)"));
  // The npm bin link resolved to the package, and its prefix bound into sandboxes.
  EXPECT_THAT(claude, HasSubstr("node_modules/@anthropic-ai/claude-code/"));
  EXPECT_THAT(claude, HasSubstr("is mounted read-only into namespace sandboxes"));
  EXPECT_THAT(Check(run, "state_dir")["detail"].get<std::string>(), HasSubstr("creates it"));
}

TEST_F(Doctor, PortInUseFailsWithTheFixAndExitCodeOne) {
  BusyPort busy;
  auto run = RunJson(FreePort(), busy.Port());
  ASSERT_TRUE(run.json.is_object()) << run.out << run.err;
  const auto admin = Check(run, "port_admin");
  EXPECT_EQ(admin["status"], "fail");
  EXPECT_THAT(admin["detail"].get<std::string>(), HasSubstr("already in use"));
  EXPECT_THAT(admin["fix"].get<std::string>(), HasSubstr(":" + std::to_string(busy.Port())));
  EXPECT_THAT(admin["fix"].get<std::string>(), HasSubstr("admin_listen"));
  EXPECT_EQ(Check(run, "port_api")["status"], "pass");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.json["exit_code"], 1);
}

TEST_F(Doctor, WorldWritableStateDirFails) {
  ASSERT_EQ(::mkdir(state_.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(state_.c_str(), 0777), 0);
  auto run = RunJson(FreePort(), FreePort());
  const auto state = Check(run, "state_dir");
  EXPECT_EQ(state["status"], "fail") << state;
  EXPECT_THAT(state["detail"].get<std::string>(), HasSubstr("0777"));
  EXPECT_THAT(state["fix"].get<std::string>(), HasSubstr("chmod 0711 " + state_));
  EXPECT_EQ(run.exit_code, 1);
}

// The daemon refuses to start on a state dir its group could change.
TEST_F(Doctor, GroupWritableStateDirFails) {
  ASSERT_EQ(::mkdir(state_.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(state_.c_str(), 0771), 0);
  auto run = RunJson(FreePort(), FreePort());
  const auto state = Check(run, "state_dir");
  EXPECT_EQ(state["status"], "fail") << state;
  EXPECT_THAT(state["detail"].get<std::string>(), HasSubstr("writable by group or others"));
}

// A database others can read (an older layout's 0644) is narrowed by the
// next start: a warning, not a failure.
TEST_F(Doctor, ReadableDatabaseWarnsAndStillExitsZeroWithoutFailures) {
  ASSERT_EQ(::mkdir(state_.c_str(), 0711), 0);
  std::ofstream(state_ + "/sessions.db") << "";
  ASSERT_EQ(::chmod((state_ + "/sessions.db").c_str(), 0644), 0);
  auto run = RunJson(FreePort(), FreePort());
  const auto state = Check(run, "state_dir");
  EXPECT_EQ(state["status"], "warn") << state;
  EXPECT_THAT(state["detail"].get<std::string>(), HasSubstr("sessions.db has mode 0644"));
  EXPECT_THAT(state["fix"].get<std::string>(), HasSubstr("sets 0600 at start"));
  EXPECT_EQ(run.json["summary"]["fail"], 0) << run.out;
  EXPECT_EQ(run.exit_code, 0);
}

TEST_F(Doctor, ReadableSecretFails) {
  ASSERT_EQ(::mkdir(state_.c_str(), 0711), 0);
  std::ofstream(state_ + "/admin-token") << "secret\n";
  ASSERT_EQ(::chmod((state_ + "/admin-token").c_str(), 0644), 0);
  auto run = RunJson(FreePort(), FreePort());
  const auto state = Check(run, "state_dir");
  EXPECT_EQ(state["status"], "fail") << state;
  EXPECT_THAT(state["detail"].get<std::string>(), HasSubstr("admin-token"));
  EXPECT_THAT(state["fix"].get<std::string>(), HasSubstr("chmod 0600"));
}

TEST_F(Doctor, LinkedTokenFails) {
  ASSERT_EQ(::mkdir(state_.c_str(), 0711), 0);
  std::ofstream(dir_.Path() + "/elsewhere") << "hpa_x\n";
  ASSERT_EQ(::chmod((dir_.Path() + "/elsewhere").c_str(), 0600), 0);
  ASSERT_EQ(::symlink((dir_.Path() + "/elsewhere").c_str(), (state_ + "/admin-token").c_str()), 0);
  auto run = RunJson(FreePort(), FreePort());
  const auto state = Check(run, "state_dir");
  EXPECT_EQ(state["status"], "fail") << state;
  EXPECT_THAT(state["detail"].get<std::string>(), HasSubstr("admin-token is a symbolic link"));
}

TEST_F(Doctor, MissingClaudeCommandFailsWithInstallHint) {
  WriteConfig({dir_.Path() + "/no-such-claude"});
  auto run = RunJson(FreePort(), FreePort());
  const auto claude = Check(run, "claude_cli");
  EXPECT_EQ(claude["status"], "fail") << claude;
  EXPECT_THAT(claude["fix"].get<std::string>(), HasSubstr("scripts/install-claude"));
  EXPECT_EQ(run.exit_code, 1);
}

TEST_F(Doctor, TableForPeople) {
  BusyPort busy;
  auto run = Run({"--config", config_, "--state-dir", state_, "--listen",
                  "127.0.0.1:" + std::to_string(busy.Port())});
  EXPECT_THAT(run.out, ::testing::StartsWith("CHECK"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("\nport_api +FAIL +127\\.0\\.0\\.1:"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("\n +fix: stop what listens there"));
  EXPECT_THAT(run.out, HasSubstr("9 checks:"));
  EXPECT_EQ(run.exit_code, 1);
}

TEST_F(Doctor, UsageAndConfigErrorsExitTwo) {
  EXPECT_EQ(Run({"--bogus"}).exit_code, 2);
  EXPECT_EQ(Run({"--config"}).exit_code, 2);
  EXPECT_EQ(Run({"--config", dir_.Path() + "/missing.yaml"}).exit_code, 2);
  EXPECT_EQ(Run({"--listen", "not-an-address"}).exit_code, 2);
  auto help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("exit codes: 0 no FAIL"));
}

}  // namespace
}  // namespace hotplex::testing
