// End to end: `kill -9` of the real `hotplexd serve` binary, then a restart on
// the same state dir. The real Claude Code CLI runs in the namespace sandbox
// against our fake Messages API. After the kill no sandbox process survives
// (parent-death signal), the session comes back `stopped`, and the next
// message resumes the conversation: the fake API sees the earlier turn. The
// sandbox reaches the fake API only through an egress forward (no host network).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "supervisor/api_key.hpp"
#include "tests/fake_anthropic/api_server.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/support/claude_cli.hpp"
#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

namespace fs = std::filesystem;
namespace fa = hotplex::fake_anthropic;

constexpr const char* kKey = "kill-restart-key";
constexpr const char* kScript =
    R"({"turns": [], "default_reply": {"text": "Noted.", "chunk_size": 6}})";

// pid -> start time (field 22 of /proc/<pid>/stat), so a reused pid is not mistaken.
using ProcessSet = std::map<pid_t, std::string>;

std::string StatField(pid_t pid, int field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 2));
  std::string value;
  for (int i = 3; i <= field && rest >> value; ++i) {
  }
  return value;
}

// Every descendant of `root` (not root itself).
ProcessSet Descendants(pid_t root) {
  std::map<pid_t, pid_t> parent;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    const std::string ppid = StatField(pid, 4);
    if (!ppid.empty()) parent[pid] = std::stoi(ppid);
  }
  ProcessSet out;
  for (const auto& [pid, ppid] : parent) {
    for (pid_t p = ppid; p > 1; p = parent.count(p) ? parent[p] : 0) {
      if (p == root) {
        out[pid] = StatField(pid, 22);
        break;
      }
    }
  }
  return out;
}

bool StillRunning(pid_t pid, const std::string& start_time) {
  return StatField(pid, 22) == start_time && StatField(pid, 3) != "Z";
}

class KillRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the namespace sandbox e2e tests run as root (CI does)";
    const std::string missing = ClaudeMissingReason();
    ASSERT_TRUE(missing.empty()) << missing;
    ::chmod(dir_.Path().c_str(), 0711);  // sandboxed uids traverse it to workspace and home
    auto script = fa::ParseScript(kScript);
    ASSERT_TRUE(script) << script.error().message;
    api_ = std::make_unique<fa::FakeAnthropicServer>(std::move(*script));
    auto port = api_->Start(0);
    ASSERT_TRUE(port) << port.error().message;
    WriteConfig(*port);
  }
  void TearDown() override {
    daemon_.reset();
    if (api_) api_->Stop();
  }

  void WriteConfig(int api_port) {
    fs::create_directories(dir_.Path() + "/policies");
    std::ofstream(dir_.Path() + "/policies/test.yaml") << R"(extends: default
sandbox:
  network: {mode: egress, forwards: ["127.0.0.1:)" << api_port
                                                       << R"("]}
env:
  set:
    ANTHROPIC_BASE_URL: http://127.0.0.1:)" << api_port << R"(
    ANTHROPIC_API_KEY: anything
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"
)";
    // The npm bin link as scripts/install-claude prints it, and no sandbox.extra_mounts:
    // the daemon resolves it and binds its install prefix (supervisor/agent_binary.hpp).
    const std::string claude = ClaudeBinary();
    std::ofstream(Config()) << "listen: 127.0.0.1:0\n"
                            << "admin_listen: 127.0.0.1:0\n"
                            << "state_dir: " << dir_.Path() << "/state\n"
                            << "policy_dir: " << dir_.Path() << "/policies\n"
                            << "claude_code: {command: [" << claude << "]}\n"
                            << "tenants:\n  - id: a\n    team: test\n"
                            << "    api_key_sha256: [" << supervisor::HashApiKey(kKey) << "]\n"
                            << "    workspace_root: " << dir_.Path() << "/ws/a\n";
  }
  std::string Config() const { return dir_.Path() + "/hotplexd.yaml"; }

  // Starts `hotplexd serve` and reads its API port from the start-up line.
  void StartDaemon() {
    ProcessSpec spec;
    spec.argv = {HOTPLEX_BINARY_DIR "/hotplexd", "serve", "--config", Config()};
    spec.env = InheritEnv({"PATH"});
    spec.env.push_back("HOTPLEX_DOCKER_INSTANCE=kill-restart-e2e-" + std::to_string(::getpid()));
    spec.stderr_path = dir_.Path() + "/hotplexd.stderr";
    auto proc = PipedProcess::Spawn(spec);
    ASSERT_TRUE(proc) << proc.error().Describe();
    daemon_ = std::make_unique<PipedProcess>(std::move(*proc));
    const std::regex serving(R"(serving the API on 127\.0\.0\.1:(\d+))");
    while (auto line = daemon_->ReadLine(std::chrono::seconds(30))) {
      std::smatch m;
      if (std::regex_search(*line, m, serving)) {
        port_ = std::stoi(m[1]);
        return;
      }
    }
    FAIL() << "hotplexd did not start: " << ReadFile(spec.stderr_path);
  }

  HttpResult Call(const std::string& method, const std::string& path, const json& body = nullptr) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    httplib::Headers headers{{"Authorization", std::string("Bearer ") + kKey}};
    auto res = method == "POST" ? client.Post(path, headers, body.dump(), "application/json")
                                : client.Get(path, headers);
    HttpResult out;
    if (!res) return out;
    out.status = res->status;
    out.body = json::parse(res->body, nullptr, false);
    return out;
  }

  // Sends `text` over WebSocket and waits for the turn's end.
  void Turn(const std::string& id, const std::string& text) {
    WsClient ws(port_, kKey);
    ws.Send({{"type", "attach"}, {"session_id", id}, {"after", LastSeq(id)}});
    ws.Send({{"type", "prompt"}, {"session_id", id}, {"text", text}});
    json end = ws.ReadUntil([](const json& m) { return m["type"] == "turn_end"; },
                            std::chrono::seconds(120));
    EXPECT_FALSE(end["data"].value("is_error", false)) << end.dump();
  }
  std::uint64_t LastSeq(const std::string& id) {
    return Call("GET", "/v1/sessions/" + id).body.value("last_seq", std::uint64_t{0});
  }

  // Every user message text in the last /v1/messages request the fake API got.
  std::string LastRequestUserText() const {
    std::string out;
    json last;
    for (const auto& r : api_->Requests()) {
      if (r["path"] == "/v1/messages") last = r;
    }
    for (const auto& m : last["body"]["messages"]) {
      if (m["role"] != "user") continue;
      if (m["content"].is_string()) out += m["content"].get<std::string>() + "\n";
      for (const auto& block : m["content"]) {
        if (block.is_object() && block.value("type", "") == "text") {
          out += block.value("text", "") + "\n";
        }
      }
    }
    return out;
  }

  TempDir dir_{"hotplex-kill-restart"};
  std::unique_ptr<fa::FakeAnthropicServer> api_;
  std::unique_ptr<PipedProcess> daemon_;
  int port_ = 0;
};

TEST_F(KillRestart, AfterKill9AndARestartTheNextMessageResumesTheConversation) {
  StartDaemon();
  auto created = Call("POST", "/v1/sessions", {{"provider", "claude-code"}, {"key", "survivor"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string id = created.body["id"];
  Turn(id, "Please remember the word PINEAPPLE-42.");
  ASSERT_NE(LastRequestUserText().find("PINEAPPLE-42"), std::string::npos);

  const ProcessSet agents = Descendants(daemon_->Pid());
  ASSERT_FALSE(agents.empty()) << "the session's sandbox should be running";
  ASSERT_EQ(::kill(daemon_->Pid(), SIGKILL), 0);
  ASSERT_TRUE(daemon_->Wait(std::chrono::seconds(10)).has_value());
  // The parent-death signal ends every sandbox; give the kernel a moment.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<pid_t> alive;
  do {
    alive.clear();
    for (const auto& [pid, start] : agents) {
      if (StillRunning(pid, start)) alive.push_back(pid);
    }
    if (alive.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(alive.empty()) << alive.size() << " of " << agents.size()
                             << " sandbox processes survived the daemon's kill -9";

  StartDaemon();
  auto session = Call("GET", "/v1/sessions/" + id);
  ASSERT_EQ(session.status, 200) << session.body.dump();
  EXPECT_EQ(session.body["state"], "stopped");
  EXPECT_EQ(session.body["turns"], 1);
  const std::size_t requests_before = api_->Requests().size();
  Turn(id, "Which word did I ask you to remember?");
  ASSERT_GT(api_->Requests().size(), requests_before) << "the resumed CLI called the API";
  const std::string seen = LastRequestUserText();
  EXPECT_NE(seen.find("PINEAPPLE-42"), std::string::npos)
      << "the resumed conversation carries the earlier turn; user text seen:\n"
      << seen;
  EXPECT_NE(seen.find("Which word"), std::string::npos) << seen;
}

}  // namespace
}  // namespace hotplex::testing
