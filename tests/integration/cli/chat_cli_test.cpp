// `hotplexd chat` end to end: the real `hotplexd serve` (local tenant, key in
// the state dir, the fake agent as the claude-code CLI in the namespace
// sandbox, Write needs a person's approval) and the real chat client driven
// through pipes as a person would type.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const std::string kBinary = HOTPLEX_BINARY_DIR "/hotplexd";
const std::string kFakeAgent = HOTPLEX_BINARY_DIR "/tests/bin/fake-agent";

class ChatCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kFakeAgent)) << "build the fake-agent target first";
    // The sandbox's uid walks through the test dir to its workspace.
    ::chmod(dir_.Path().c_str(), 0711);
    WriteConfig();
    ProcessSpec spec;
    spec.argv = {kBinary, "serve", "--config", dir_.Path() + "/hotplexd.yaml"};
    spec.env = InheritEnv({"PATH"});
    spec.stderr_path = dir_.Path() + "/serve.stderr";
    auto proc = PipedProcess::Spawn(spec);
    ASSERT_TRUE(proc) << proc.error().Describe();
    daemon_ = std::make_unique<PipedProcess>(std::move(*proc));
    const std::regex serving(R"(serving the API on 127\.0\.0\.1:(\d+))");
    while (auto line = daemon_->ReadLine(30s)) {
      std::smatch m;
      if (std::regex_search(*line, m, serving)) {
        url_ = "http://127.0.0.1:" + m[1].str();
        return;
      }
    }
    FAIL() << "hotplexd serve did not start: " << ReadFile(spec.stderr_path);
  }

  void TearDown() override {
    if (!daemon_) return;
    daemon_->Kill(SIGTERM);
    if (!daemon_->Wait(20s)) daemon_->Kill(SIGKILL);
  }

  void WriteConfig() {
    fs::create_directories(dir_.Path() + "/policies");
    // The shipped default policy, with Write needing approval.
    std::string policy = ReadFile(HOTPLEX_SOURCE_DIR "/policies/default.yaml");
    const auto ask = policy.find("  ask: []");
    ASSERT_NE(ask, std::string::npos) << "policies/default.yaml has no 'ask: []' line any more";
    policy.replace(ask, 9, "  ask: [Write]");
    std::ofstream(dir_.Path() + "/policies/default.yaml") << policy;
    std::ofstream(dir_.Path() + "/hotplexd.yaml")
        << "listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\n"
        << "state_dir: " << dir_.Path() << "/state\npolicy_dir: " << dir_.Path() << "/policies\n"
        << "claude_code:\n  command: [" << kFakeAgent << "]\n"
        << "sandbox:\n  extra_mounts: [" << fs::path(kFakeAgent).parent_path().string() << "]\n";
  }

  // `hotplexd chat` with the key from the state dir (no $HOTPLEX_API_KEY).
  std::unique_ptr<PipedProcess> Chat(const std::string& key) {
    ProcessSpec spec;
    spec.argv = {kBinary, "chat", "--url", url_, "--state-dir", dir_.Path() + "/state",
                 "--key", key};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.stderr_path = dir_.Path() + "/chat.stderr";
    auto proc = PipedProcess::Spawn(spec);
    EXPECT_TRUE(proc) << proc.error().Describe();
    return proc ? std::make_unique<PipedProcess>(std::move(*proc)) : nullptr;
  }

  // Reads chat output lines until one contains `needle`; everything read goes to `seen_`.
  bool Until(PipedProcess& chat, const std::string& needle, std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = chat.ReadLine(1s);
      if (!line) {
        if (chat.AtEof()) break;
        continue;
      }
      seen_ += *line + "\n";
      if (line->find(needle) != std::string::npos) return true;
    }
    ADD_FAILURE() << "no '" << needle << "' in the chat output:\n"
                  << seen_ << "\nstderr: " << ReadFile(dir_.Path() + "/chat.stderr");
    return false;
  }

  static int ExitCode(PipedProcess& chat) {
    auto status = chat.Wait(20s);
    return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }

  TempDir dir_{"hotplex-chat"};
  std::unique_ptr<PipedProcess> daemon_;
  std::string url_;
  std::string seen_;
};

TEST_F(ChatCli, PrintsTheAnswerAndReattachesToTheSameSession) {
  auto chat = Chat("greet");
  ASSERT_TRUE(chat);
  ASSERT_TRUE(Until(*chat, "new session"));
  const std::smatch id = [&] {
    std::smatch m;
    std::regex_search(seen_, m, std::regex("session ([0-9a-f-]{36})"));
    return m;
  }();
  ASSERT_FALSE(id.empty()) << seen_;
  const std::string session = id[1].str();
  chat->WriteLine("hello there");
  ASSERT_TRUE(Until(*chat, "echo: hello there"));
  ASSERT_TRUE(Until(*chat, "[turn 1 done"));
  chat->CloseStdin();  // Ctrl-D
  EXPECT_EQ(ExitCode(*chat), 0);

  seen_.clear();
  auto again = Chat("greet");
  ASSERT_TRUE(again);
  ASSERT_TRUE(Until(*again, "re-attached to session " + session));
  EXPECT_THAT(seen_, HasSubstr("1 turns"));
  again->WriteLine("fake:history");
  ASSERT_TRUE(Until(*again, "[turn 2 done"));
  EXPECT_THAT(seen_, HasSubstr("hello there"));  // the same conversation
  again->CloseStdin();
  EXPECT_EQ(ExitCode(*again), 0);
}

TEST_F(ChatCli, PermissionRequestsAreAnsweredByTypingYOrN) {
  auto chat = Chat("asks");
  ASSERT_TRUE(chat);
  chat->WriteLine(R"(fake:tool Write {"file_path":"yes.txt","content":"x"})");
  ASSERT_TRUE(Until(*chat, "[ask] Write: yes.txt"));
  chat->WriteLine("y");
  ASSERT_TRUE(Until(*chat, "[allow] Write"));
  EXPECT_THAT(seen_, HasSubstr("(client)"));
  ASSERT_TRUE(Until(*chat, "[turn 1"));
  chat->WriteLine(R"(fake:tool Write {"file_path":"no.txt","content":"x"})");
  ASSERT_TRUE(Until(*chat, "[ask] Write: no.txt"));
  chat->WriteLine("N");
  ASSERT_TRUE(Until(*chat, "[deny] Write"));
  chat->CloseStdin();
  EXPECT_EQ(ExitCode(*chat), 0);
}

TEST_F(ChatCli, CtrlCInterruptsALongTurnAndCtrlCWhenIdleQuits) {
  auto chat = Chat("long");
  ASSERT_TRUE(chat);
  // A tool line (ticks stream without a newline), then a minute of ticks.
  chat->WriteLine(R"(fake:tool Bash {"command":"true"} ;; slow 600 100)");
  ASSERT_TRUE(Until(*chat, "[tool] Bash: true"));
  chat->Kill(SIGINT);
  ASSERT_TRUE(Until(*chat, "interrupting the turn"));
  // The turn would tick for 60 s; ending within 30 s is the interrupt's doing.
  ASSERT_TRUE(Until(*chat, "[turn 1 ended", 30s));
  std::this_thread::sleep_for(2500ms);  // out of the double-Ctrl-C window
  chat->Kill(SIGINT);                   // idle now: quits
  EXPECT_EQ(ExitCode(*chat), 0);
}

}  // namespace
}  // namespace hotplex::testing
