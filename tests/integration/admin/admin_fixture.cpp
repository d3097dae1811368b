#include "tests/integration/admin/admin_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <thread>

namespace hotplex::testing {
namespace fs = std::filesystem;

namespace {

constexpr const char* kValidPolicy = "extends: default\nsandbox:\n  limits:\n    max_sessions: 2\n";
// Two errors, at 3:13 and 5:9.
constexpr const char* kBrokenPolicy =
    "extends: default\nsandbox:\n  limits:\n    memory: lots\ntools:\n  ask: 12\n  wat: []\n";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

void AdminFixture::SetUp() {
  ApiFixture::SetUp();
  if (HasFatalFailure()) return;
  StopDaemon();
  policy_dir_ = dir_ + "/policies";
  fs::create_directories(policy_dir_);
  WriteFile(policy_dir_ + "/team.yaml", kValidPolicy);
  WriteFile(policy_dir_ + "/broken.yaml", kBrokenPolicy);
  auto store = policies::PolicyStore::Open(policy_dir_);
  ASSERT_TRUE(store) << store.error().Describe();
  policy_store_ = std::move(*store);
  config_.policy_dir = policy_dir_;
  // auth.failure summaries are written when a window ends: short ones here.
  config_.audit.auth_failure_window = std::chrono::milliseconds(200);
  StartAdminDaemon();
}

void AdminFixture::StartAdminDaemon() {
  auto daemon = api::Daemon::Start(config_, policies_, {{backend_->Kind(), backend_.get()}},
                                   policy_store_.get());
  ASSERT_TRUE(daemon) << daemon.error().Describe();
  daemon_ = std::move(*daemon);
  std::ifstream in(config_.state_dir + "/admin-token");
  std::getline(in, admin_token_);
  ASSERT_FALSE(admin_token_.empty()) << "no admin token in the state dir";
}

void AdminFixture::TearDown() {
  daemon_.reset();
  policy_store_.reset();
  ApiFixture::TearDown();
}

HttpResult AdminFixture::Admin(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& token) {
  return Call(method, path, body, token == "<admin>" ? admin_token_ : token, daemon_->AdminPort());
}

TextResult AdminFixture::AdminText(const std::string& path, const std::string& token) {
  httplib::Client client("127.0.0.1", daemon_->AdminPort());
  client.set_read_timeout(20, 0);
  httplib::Headers headers;
  if (!token.empty()) {
    headers.emplace("Authorization", "Bearer " + (token == "<admin>" ? admin_token_ : token));
  }
  auto res = client.Get(path, headers);
  TextResult out;
  if (!res) {
    ADD_FAILURE() << "GET " << path << ": " << httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  out.headers = res->headers;
  return out;
}

std::vector<SseEvent> AdminFixture::ReadAdminSse(
    const std::string& path, const std::function<bool(const std::vector<SseEvent>&)>& done,
    std::chrono::seconds timeout) {
  httplib::Client client("127.0.0.1", daemon_->AdminPort());
  client.set_read_timeout(3, 0);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<SseEvent> events;
  std::string pending;
  httplib::Headers headers{{"Authorization", "Bearer " + admin_token_}};
  client.Get(path, headers, [&](const char* data, size_t n) {
    pending.append(data, n);
    for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
      const std::string frame = pending.substr(0, end);
      pending.erase(0, end + 2);
      SseEvent e;
      std::size_t pos = 0;
      while (pos < frame.size()) {
        const auto eol = std::min(frame.find('\n', pos), frame.size());
        const std::string line = frame.substr(pos, eol - pos);
        if (line.rfind("event: ", 0) == 0) e.event = line.substr(7);
        if (line.rfind("data: ", 0) == 0) e.data = json::parse(line.substr(6), nullptr, false);
        pos = eol + 1;
      }
      if (!e.event.empty()) events.push_back(std::move(e));
    }
    return !done(events) && std::chrono::steady_clock::now() < deadline;
  });
  return events;
}

std::vector<json> AdminFixture::AuditOf(const std::string& type, std::size_t at_least) {
  // Audit appends are asynchronous: poll (bounded) until the store has them.
  std::vector<json> out;
  for (int i = 0; i < 50 && out.size() < at_least; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto res = Admin("GET", "/admin/v1/audit?limit=1000&type=" + type);
    EXPECT_EQ(res.status, 200) << res.body.dump();
    if (res.status != 200) return out;
    out.clear();
    for (const auto& e : res.body["entries"]) out.push_back(e);
  }
  return out;
}

json AdminFixture::CreateCatSession(const std::string& key) {
  return CreateSession({{"provider", "exec"}, {"argv", {"/bin/cat"}}}, key);
}

}  // namespace hotplex::testing
