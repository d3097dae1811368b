// Back-pressure and lifetime: a slow SSE reader is cut off with a final
// `slow_consumer` event without slowing the agent or other readers; a client
// that disconnects mid-stream harms nothing; shutdown leaves no process behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <thread>

#include "common/unique_fd.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace hotplex::testing {
namespace {

// A raw HTTP client socket whose reading the test controls.
class RawClient {
 public:
  RawClient(int port, int rcvbuf) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    ::setsockopt(fd_.Get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    timeval tv{15, 0};
    ::setsockopt(fd_.Get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  }
  void Send(const std::string& s) {
    EXPECT_EQ(::send(fd_.Get(), s.data(), s.size(), 0), (ssize_t)s.size());
  }
  // Reads until EOF, an error or the receive timeout.
  std::string ReadAll() {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_.Get(), buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  std::string ReadSome() {
    char buf[4096];
    const ssize_t n = ::recv(fd_.Get(), buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
};

// Running (a zombie waiting for its reaper counts as gone).
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

std::string EventsRequest(const std::string& id, const char* key) {
  return "GET /v1/sessions/" + id +
         "/events?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n\r\n";
}

class ApiStreaming : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    StopDaemon();
    config_.events.subscriber_queue = 256;
    config_.events.ring_size = 100000;
    config_.events.ring_bytes = 64u << 20;  // the ring keeps all 20000 deltas for the replay
    config_.events.subscriber_queue_bytes = 64u << 20;
    config_.http.request_timeout = std::chrono::seconds(30);
    StartDaemon();
  }
};

TEST_F(ApiStreaming, SlowSseReaderIsCutOffAndTheAgentIsNotSlowed) {
  const std::string id = CreateSession({{"provider", "claude-code"}})["id"];
  RawClient slow(daemon_->ApiPort(), 4096);
  slow.Send(EventsRequest(id, kKeyA));
  ASSERT_NE(slow.ReadSome().find("200 OK"), std::string::npos);
  // 20000 deltas (~3 MB of events, 50 us apart): far more than the socket
  // buffers and the 256-event queue hold while the slow client does not read.
  auto res = Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"fake:echo 20000 50"})");
  ASSERT_EQ(res.status, 202);
  // The agent finishes its turn while the slow client reads nothing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  json session;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    session = Call("GET", "/v1/sessions/" + id).body;
  } while (session["state"] != "ready" && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(session["state"], "ready") << "the agent was held back by the slow reader";
  // Everything it wrote is in the log: a new reader replays all of it.
  std::size_t texts = 0;
  auto events =
      ReadEvents(id, 0, [&](const std::vector<json>& got) { return HasEvent(got, "turn_end"); });
  for (const auto& e : events) texts += e["type"] == "text" ? 1 : 0;
  EXPECT_EQ(texts, 20000u);
  const std::string slow_stream = slow.ReadAll();
  const auto cut = slow_stream.find("\"slow_consumer\"");
  ASSERT_NE(cut, std::string::npos) << slow_stream.size() << " bytes, no slow_consumer event";
  EXPECT_NE(slow_stream.find("resume with after=", cut), std::string::npos);
  EXPECT_EQ(slow_stream.find("turn_end"), std::string::npos) << "it was cut before the end";
}

TEST_F(ApiStreaming, ClientDisconnectingMidStreamHarmsNothing) {
  const std::string id = CreateSession({{"provider", "claude-code"}})["id"];
  {
    RawClient gone(daemon_->ApiPort(), 4096);
    gone.Send(EventsRequest(id, kKeyA));
    ASSERT_NE(gone.ReadSome().find("200 OK"), std::string::npos);
    Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"fake:slow 20 10"})");
    gone.ReadSome();
    gone.Close();
  }
  json end = WaitForEvent(id, 0, "turn_end");
  EXPECT_FALSE(end["data"]["is_error"]);
  Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"fake:text still fine"})");
  EXPECT_FALSE(WaitForEvent(id, end["seq"], "turn_end")["data"]["is_error"]);
}

TEST_F(ApiStreaming, ShutdownEndsEveryAgentProcessAndKeepsTheSessions) {
  const std::string id =
      CreateSession({{"provider", "exec"}, {"argv", {"/bin/sh"}}, {"key", "shell"}})["id"];
  Call("POST", "/v1/sessions/" + id + "/messages", R"({"text":"sleep 1000 & echo pid=$!"})");
  json line = WaitForEvent(id, 0, "text", [](const json& e) {
    return e["data"]["text"].get<std::string>().rfind("pid=", 0) == 0;
  });
  const pid_t sleeper = std::stoi(line["data"]["text"].get<std::string>().substr(4));
  ASSERT_TRUE(Alive(sleeper)) << "the background job runs";
  StopDaemon();
  // The sleeper was in the agent's process group: nothing survives the daemon.
  EXPECT_FALSE(Alive(sleeper));
  StartDaemon();
  auto session = Call("GET", "/v1/sessions/" + id);
  EXPECT_EQ(session.status, 200);
  EXPECT_EQ(session.body["state"], "stopped");
}

}  // namespace
}  // namespace hotplex::testing
