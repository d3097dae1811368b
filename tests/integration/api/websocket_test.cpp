// The WebSocket transport: auth (header and subprotocol), attach/prompt/
// permission/create with acks and errors, and protocol-violation closes.
#include <set>

#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {
namespace {

class ApiWebSocket : public ApiFixture {};

TEST_F(ApiWebSocket, BrowserStyleBearerSubprotocolIsAnsweredWithHotplexV1) {
  WsClient ws(daemon_->ApiPort(), kKeyA, "subprotocol");
  EXPECT_EQ(ws.Subprotocol(), "hotplex.v1");
  ws.Send({{"type", "create"}, {"id", 7}, {"provider", "exec"}, {"argv", {"/bin/cat"}}});
  json ack = ws.Read();
  EXPECT_EQ(ack["type"], "ack");
  EXPECT_EQ(ack["id"], 7);
  EXPECT_TRUE(ack["created"]);
  EXPECT_EQ(ack["session"]["provider"], "exec");
}

TEST_F(ApiWebSocket, WrongKeyIsRefusedBeforeTheUpgrade) {
  EXPECT_THROW(WsClient(daemon_->ApiPort(), "wrong"), std::exception);
  EXPECT_THROW(WsClient(daemon_->ApiPort(), "wrong", "subprotocol"), std::exception);
}

TEST_F(ApiWebSocket, AttachPromptAndAskAnsweredOverTheSocket) {
  const std::string id = CreateSession({{"provider", "claude-code"}})["id"];
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.Send({{"type", "attach"}, {"id", "a1"}, {"session_id", id}, {"after", 0}});
  EXPECT_EQ(ws.ReadUntil([](const json& m) { return m["type"] == "ack"; })["id"], "a1");
  ws.Send({{"type", "prompt"},
           {"id", "p1"},
           {"session_id", id},
           {"text", R"(fake:text hi ;; tool Write {"file_path":"w.txt","content":"x"})"}});
  json ack = ws.ReadUntil([](const json& m) { return m["type"] == "ack"; });
  EXPECT_EQ(ack["id"], "p1");
  EXPECT_EQ(ack["turn"], 1);
  json ask = ws.ReadUntil([](const json& m) { return m["type"] == "permission_request"; });
  ws.Send({{"type", "permission"},
           {"id", "q1"},
           {"session_id", id},
           {"request_id", ask["data"]["request_id"]},
           {"behavior", "allow"}});
  json decision = ws.ReadUntil([](const json& m) { return m["type"] == "permission_decision"; });
  EXPECT_EQ(decision["data"]["decision"], "allow");
  EXPECT_EQ(decision["data"]["source"], "client");
  json end = ws.ReadUntil([](const json& m) { return m["type"] == "turn_end"; });
  EXPECT_FALSE(end["data"]["is_error"]);
}

TEST_F(ApiWebSocket, BadMessagesGetErrorRepliesWithTheirId) {
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.SendRaw("not json");
  EXPECT_EQ(ws.Read()["error"]["code"], "bad_request");
  ws.Send({{"type", "frobnicate"}, {"id", 3}, {"session_id", "x"}});
  json reply = ws.Read();
  EXPECT_EQ(reply["type"], "error");
  EXPECT_EQ(reply["id"], 3);
  ws.Send({{"type", "attach"}, {"id", 4}, {"session_id", "00000000-0000-4000-8000-000000000000"}});
  reply = ws.Read();
  EXPECT_EQ(reply["error"]["code"], "not_found");
  EXPECT_EQ(reply["id"], 4);
  ws.Send({{"type", "prompt"}, {"id", 5}});
  EXPECT_EQ(ws.Read()["error"]["code"], "bad_request");
}

TEST_F(ApiWebSocket, AnotherTenantsSessionIsNotFound) {
  const std::string id = CreateSession({{"provider", "exec"}, {"argv", {"/bin/cat"}}})["id"];
  WsClient ws(daemon_->ApiPort(), kKeyB);
  for (const char* type : {"attach", "prompt", "interrupt"}) {
    ws.Send({{"type", type}, {"session_id", id}, {"text", "x"}});
    EXPECT_EQ(ws.Read()["error"]["code"], "not_found") << type;
  }
}

TEST_F(ApiWebSocket, OversizedMessageClosesWith1009) {
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.SendRaw(std::string(config_.http.websocket_message_limit + 1, 'x'));
  EXPECT_EQ(ws.ReadClose(), 1009);
}

TEST_F(ApiWebSocket, InvalidUtf8ClosesWith1007) {
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.SendRaw("{\"type\":\"\xff\xfe\"}");
  EXPECT_EQ(ws.ReadClose(), 1007);
}

TEST_F(ApiWebSocket, OneConnectionFollowsSeveralSessions) {
  const std::string s1 = CreateSession({{"provider", "exec"}, {"argv", {"/bin/cat"}}})["id"];
  const std::string s2 = CreateSession({{"provider", "exec"}, {"argv", {"/bin/cat"}}})["id"];
  WsClient ws(daemon_->ApiPort(), kKeyA);
  for (const auto& id : {s1, s2}) {
    ws.Send({{"type", "attach"}, {"session_id", id}});
    ws.Send({{"type", "prompt"}, {"session_id", id}, {"text", "line-" + id}});
  }
  std::set<std::string> seen;
  ws.ReadUntil([&](const json& m) {
    if (m["type"] == "text") seen.insert(m["session_id"].get<std::string>());
    return seen.size() == 2;
  });
  EXPECT_EQ(seen.size(), 2u);
}

// The server writes a backlog of events in corked batches (api/corked_stream.hpp):
// every event must still arrive once, whole and in order, and the pongs Beast
// writes on its own in the middle of a batch must get through. The queue holds
// the whole turn: this client parses every message and falls behind the agent.
constexpr int kLines = 20000;

class ApiWebSocketBacklog : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    StopDaemon();
    config_.events.subscriber_queue = kLines + 1000;
    config_.events.ring_size = kLines + 1000;
    config_.events.subscriber_queue_bytes = 64u << 20;  // ~14 MB of footprint for the turn
    StartDaemon();
  }
};

TEST_F(ApiWebSocketBacklog, ALongStreamArrivesWholeAndInOrderWhileTheClientPings) {
  const std::string id = CreateSession({{"provider", "claude-code"}})["id"];
  WsClient ws(daemon_->ApiPort(), kKeyA);
  ws.Send({{"type", "attach"}, {"session_id", id}});
  ws.Send(
      {{"type", "prompt"}, {"session_id", id}, {"text", "fake:echo " + std::to_string(kLines)}});
  int next_line = 0;
  int pings = 0;
  std::uint64_t last_seq = 0;
  ws.ReadUntil(
      [&](const json& m) {
        if (m.contains("seq")) {
          const auto seq = m["seq"].get<std::uint64_t>();
          EXPECT_EQ(seq, last_seq + 1) << "after seq " << last_seq;
          last_seq = seq;
        }
        if (m["type"] == "text") {
          const std::string text = m["data"]["text"];
          if (text.rfind("echo ", 0) == 0) {
            EXPECT_EQ(std::stoi(text.substr(5)), next_line) << text;
            if (++next_line % 1000 == 0) {
              ws.Ping();
              ++pings;
            }
          }
        }
        return m["type"] == "turn_end";
      },
      std::chrono::seconds(60));
  EXPECT_EQ(next_line, kLines);
  // The pongs of the last pings may still be on their way.
  ws.Send({{"type", "detach"}, {"id", "d"}, {"session_id", id}});
  ws.ReadUntil([](const json& m) { return m["type"] == "ack" && m["id"] == "d"; });
  EXPECT_EQ(ws.Pongs(), pings);
  EXPECT_GT(pings, 0);
}

}  // namespace
}  // namespace hotplex::testing
