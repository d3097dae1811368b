// Runs the fake-anthropic binary and talks HTTP to it like the CLI does.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const std::string kServer = HOTPLEX_BINARY_DIR "/tests/bin/fake-anthropic";

json MessagesBody(const std::string& prompt, bool stream) {
  return {{"model", "claude-test"},
          {"max_tokens", 100},
          {"stream", stream},
          {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}};
}

// Parses "event: X\ndata: {...}\n\n" frames.
std::vector<std::pair<std::string, json>> ParseSse(const std::string& body) {
  std::vector<std::pair<std::string, json>> events;
  std::istringstream in(body);
  std::string line, name;
  while (std::getline(in, line)) {
    if (line.rfind("event: ", 0) == 0) name = line.substr(7);
    if (line.rfind("data: ", 0) == 0) events.emplace_back(name, json::parse(line.substr(6)));
  }
  return events;
}

class FakeAnthropicServerBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string script = dir_.Path() + "/script.json";
    std::ofstream(script) << R"({"turns":[
        {"match":"tool","replies":[{"text":"Running.","tool_use":{"name":"Bash","input":{"command":"ls"}}},{"text":"Ran."}]},
        {"match":"boom","error":{"status":529,"type":"overloaded_error","message":"busy"}}],
      "default_reply":{"text":"Default answer.","chunk_size":3}})";
    auto process = PipedProcess::Spawn(
        {{kServer, "--port", "0", "--script", script}, {}, "", dir_.Path() + "/stderr.txt"});
    ASSERT_TRUE(process) << process.error().Describe();
    server_.emplace(std::move(*process));
    auto port_line = server_->ReadLine(milliseconds(10000));
    ASSERT_TRUE(port_line.has_value()) << "fake-anthropic printed no port";
    client_ = std::make_unique<httplib::Client>("127.0.0.1", std::stoi(*port_line));
    client_->set_read_timeout(10, 0);
  }

  json Post(const std::string& path, const json& body, int expected_status = 200) {
    auto res = client_->Post(path.c_str(), body.dump(), "application/json");
    if (!res) throw std::runtime_error("no HTTP answer");
    EXPECT_EQ(res->status, expected_status) << res->body;
    return json::parse(res->body);
  }

  TempDir dir_{"fake-anthropic-test"};
  std::optional<PipedProcess> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(FakeAnthropicServerBinary, StreamsTheScriptedTurnAsServerSentEvents) {
  auto res = client_->Post("/v1/messages?beta=true", MessagesBody("use a tool", true).dump(),
                           "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  const auto events = ParseSse(res->body);
  ASSERT_GE(events.size(), 8u);
  EXPECT_EQ(events.front().first, "message_start");
  EXPECT_EQ(events.front().second["message"]["model"], "claude-test");
  EXPECT_EQ(events.back().first, "message_stop");
  bool saw_tool_start = false;
  for (const auto& [name, data] : events) {
    EXPECT_EQ(data["type"], name);
    if (name == "content_block_start" && data["content_block"]["type"] == "tool_use") {
      saw_tool_start = data["content_block"]["name"] == "Bash";
    }
    if (name == "message_delta") {
      EXPECT_EQ(data["delta"]["stop_reason"], "tool_use");
    }
  }
  EXPECT_TRUE(saw_tool_start);
}

TEST_F(FakeAnthropicServerBinary, AnswersWithJsonWhenNotStreaming) {
  const json message = Post("/v1/messages", MessagesBody("hello", false));
  EXPECT_EQ(message["type"], "message");
  EXPECT_EQ(message["content"][0]["text"], "Default answer.");
  EXPECT_EQ(message["stop_reason"], "end_turn");
}

TEST_F(FakeAnthropicServerBinary, ScriptedErrorsUseTheApiErrorShape) {
  const json error = Post("/v1/messages", MessagesBody("boom", true), 529);
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"]["type"], "overloaded_error");
}

TEST_F(FakeAnthropicServerBinary, RecordsEveryRequestIncludingUnknownRoutes) {
  Post("/v1/messages", MessagesBody("first", false));
  Post("/v1/messages/count_tokens", MessagesBody("count me", false));
  auto unknown = client_->Get("/v1/models");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto res = client_->Get("/_requests");
  ASSERT_TRUE(res);
  const json log = json::parse(res->body);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["body"]["messages"][0]["content"], "first");
  EXPECT_EQ(log[1]["path"], "/v1/messages/count_tokens");
  EXPECT_EQ(log[2]["path"], "/v1/models");
  EXPECT_NE(ReadFile(dir_.Path() + "/stderr.txt").find("unknown route GET /v1/models"),
            std::string::npos);
  auto since = client_->Get("/_requests?since=2");
  ASSERT_TRUE(since);
  EXPECT_EQ(json::parse(since->body).size(), 1u);
}

TEST_F(FakeAnthropicServerBinary, AnswersTheCliConnectivityProbe) {
  auto probe = client_->Head("/api/hello");
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->status, 200);
  auto log = client_->Get("/_requests");
  ASSERT_TRUE(log);
  EXPECT_EQ(json::parse(log->body)[0]["method"], "HEAD");
}

TEST_F(FakeAnthropicServerBinary, ScriptCanBeReplacedAndBadScriptsAreRejected) {
  auto bad = client_->Put("/_script", "{\"turns\":[{\"replies\":[]}]}", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto good = client_->Put("/_script", R"({"turns":[{"text":"replaced"}]})", "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 204);
  EXPECT_EQ(Post("/v1/messages", MessagesBody("x", false))["content"][0]["text"], "replaced");
}

TEST_F(FakeAnthropicServerBinary, StopsOnSigterm) {
  server_->Kill(SIGTERM);
  auto status = server_->Wait(milliseconds(10000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace hotplex::testing
