#include "tests/integration/api/api_fixture.hpp"

#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "policies/policy_loader.hpp"
#include "supervisor/api_key.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/integration/api/spawn_backend.hpp"

namespace hotplex::testing {
namespace fs = std::filesystem;
namespace websocket = boost::beast::websocket;

namespace {

// The process backend needs the explicit unsafe opt-in; everything else is the
// default policy plus what the tests exercise.
constexpr const char* kTestPolicy = R"(
extends: default
sandbox:
  backend: process
  unsafe: true
  limits:
    max_sessions: 3
    max_prompt_bytes: 4KiB
  ask_timeout: 30s
tools:
  ask: [Write]
provider:
  exec:
    allowed_commands: [/bin/cat, /bin/sh]
)";

constexpr const char* kShortPolicy = R"(
extends: default
sandbox:
  backend: process
  unsafe: true
  limits:
    wall_time: 3s
  ask_timeout: 1s
tools:
  ask: [Write]
)";

supervisor::SessionPolicyPtr Compile(const char* yaml, const char* name) {
  auto loaded = policies::LoadPolicyText(yaml, name, "");
  if (!loaded) {
    std::string all;
    for (const auto& d : loaded.error()) all += d.ToString() + "\n";
    ADD_FAILURE() << "test policy does not load:\n" << all;
    return nullptr;
  }
  return supervisor::ToSessionPolicy(*loaded);
}

supervisor::Tenant MakeTenant(const std::string& id, const std::string& team,
                              const std::string& key, const std::string& root) {
  supervisor::Tenant t;
  t.id = id;
  t.team = team;
  t.key_hashes = {supervisor::HashApiKey(key)};
  t.workspace_root = root + "/" + id;
  t.uid = 60000;
  t.gid = 60000;
  return t;
}

}  // namespace

supervisor::SessionPolicyPtr MapPolicySource::Get(std::string_view team) const {
  auto it = policies.find(team);
  return it == policies.end() ? nullptr : it->second;
}

std::string ApiFixture::FakeAgent() {
  return std::string(HOTPLEX_BINARY_DIR) + "/tests/bin/fake-agent";
}

void ApiFixture::SetUp() {
  char tmpl[] = "/tmp/hotplex-api-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  ASSERT_TRUE(fs::exists(FakeAgent())) << "build the fake-agent target first: " << FakeAgent();
  config_.state_dir = dir_ + "/state";
  config_.api = {"127.0.0.1", 0};
  config_.admin = {"127.0.0.1", 0};
  config_.threads = 2;
  config_.shutdown_grace = std::chrono::seconds(5);
  config_.http.body_limit = 64 * 1024;
  config_.http.request_timeout = std::chrono::seconds(5);
  config_.http.websocket_message_limit = 16 * 1024;
  config_.http.sse_keepalive = std::chrono::seconds(1);
  config_.claude_command = {FakeAgent()};
  for (auto [id, team, key] :
       {std::tuple{"a", "test", kKeyA}, {"b", "test", kKeyB}, {"c", "short", kKeyC}}) {
    config_.tenants.push_back(MakeTenant(id, team, key, dir_ + "/ws"));
  }
  policies_.policies["test"] = Compile(kTestPolicy, "test");
  policies_.policies["short"] = Compile(kShortPolicy, "short");
  backend_ = MakeSpawnBackend();
  StartDaemon();
}

void ApiFixture::StartDaemon() {
  auto daemon = api::Daemon::Start(config_, policies_, {{backend_->Kind(), backend_.get()}});
  ASSERT_TRUE(daemon) << daemon.error().Describe();
  daemon_ = std::move(*daemon);
}

void ApiFixture::StopDaemon() { daemon_.reset(); }

void ApiFixture::TearDown() {
  daemon_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

bool ApiFixture::HasEvent(const std::vector<json>& events, const std::string& type,
                          const char* field, const json& value) {
  return std::any_of(events.begin(), events.end(), [&](const json& e) {
    return e["type"] == type && (field == nullptr || e["data"][field] == value);
  });
}

std::string ApiFixture::WorkspaceOf(const std::string& tenant) const {
  return dir_ + "/ws/" + tenant;
}

HttpResult ApiFixture::Call(const std::string& method, const std::string& path,
                            const std::string& body, const std::string& key, int port) {
  httplib::Client client("127.0.0.1", port != 0 ? port : daemon_->ApiPort());
  client.set_read_timeout(20, 0);
  client.set_connection_timeout(5, 0);
  httplib::Headers headers;
  if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
  auto send = [&]() -> httplib::Result {
    if (method == "POST") return client.Post(path, headers, body, "application/json");
    if (method == "DELETE") return client.Delete(path, headers);
    if (method == "PUT") return client.Put(path, headers, body, "application/json");
    return client.Get(path, headers);
  };
  httplib::Result res = send();
  HttpResult out;
  if (!res) {
    ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.headers = res->headers;
  out.body = json::parse(res->body, nullptr, false);
  return out;
}

json ApiFixture::CreateSession(const json& request, const std::string& key) {
  auto res = Call("POST", "/v1/sessions", request.dump(), key);
  EXPECT_EQ(res.status, 201) << res.body.dump();
  return res.body;
}

std::vector<json> ApiFixture::ReadEvents(const std::string& session_id, std::uint64_t after,
                                         const std::function<bool(const std::vector<json>&)>& done,
                                         const std::string& key, std::chrono::seconds timeout) {
  httplib::Client client("127.0.0.1", daemon_->ApiPort());
  client.set_read_timeout(2, 0);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<json> events;
  std::string pending;
  httplib::Headers headers{{"Authorization", "Bearer " + key}};
  const std::string path = "/v1/sessions/" + session_id + "/events?after=" + std::to_string(after);
  // The stream ends when we stop it; keep-alive comments every second keep
  // the read timeout from firing while we wait.
  client.Get(path, headers, [&](const char* data, size_t n) {
    pending.append(data, n);
    for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
      const std::string frame = pending.substr(0, end);
      pending.erase(0, end + 2);
      const auto pos = frame.find("data: ");
      if (pos != std::string::npos) events.push_back(json::parse(frame.substr(pos + 6)));
    }
    return !done(events) && std::chrono::steady_clock::now() < deadline;
  });
  return events;
}

json ApiFixture::WaitForEvent(const std::string& session_id, std::uint64_t after,
                              const std::string& type,
                              const std::function<bool(const json&)>& pred) {
  auto match = [&](const json& e) { return e["type"] == type && (!pred || pred(e)); };
  auto events = ReadEvents(session_id, after, [&](const std::vector<json>& got) {
    return std::any_of(got.begin(), got.end(), match);
  });
  for (const auto& e : events) {
    if (match(e)) return e;
  }
  ADD_FAILURE() << "no '" << type << "' event; got " << json(events).dump().substr(0, 4000);
  return json();
}

WsClient::WsClient(int port, const std::string& key, const std::string& auth) : ws_(io_) {
  boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                          static_cast<unsigned short>(port));
  ws_.next_layer().connect(endpoint);
  ws_.set_option(websocket::stream_base::decorator([key, auth](websocket::request_type& req) {
    if (auth == "header") req.set("Authorization", "Bearer " + key);
    if (auth == "subprotocol")
      req.set("Sec-WebSocket-Protocol", "hotplex.v1, hotplex.bearer." + key);
  }));
  websocket::response_type res;
  ws_.handshake(res, "127.0.0.1", "/ws/v1/agent");
  subprotocol_ = std::string(res["Sec-WebSocket-Protocol"]);
  ws_.control_callback([this](websocket::frame_type kind, boost::beast::string_view) {
    if (kind == websocket::frame_type::pong) ++pongs_;
  });
}

void WsClient::Ping() { ws_.ping({}); }

void WsClient::Send(const json& message) { SendRaw(message.dump()); }

void WsClient::SendRaw(const std::string& text, bool binary) {
  ws_.binary(binary);
  ws_.write(boost::asio::buffer(text));
}

// Sync reads would block forever; an async read driven by run_for() is bounded.
boost::system::error_code WsClient::ReadFrame(std::string& out, std::chrono::seconds timeout) {
  boost::beast::flat_buffer buffer;
  boost::system::error_code result = boost::asio::error::timed_out;
  bool done = false;
  ws_.async_read(buffer, [&](boost::system::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  io_.restart();
  io_.run_for(timeout);
  if (!done) {
    ws_.next_layer().close();
    io_.restart();
    io_.run_for(std::chrono::seconds(1));
    return boost::asio::error::timed_out;
  }
  out = boost::beast::buffers_to_string(buffer.data());
  return result;
}

json WsClient::Read(std::chrono::seconds timeout) {
  std::string text;
  auto ec = ReadFrame(text, timeout);
  if (ec) throw std::runtime_error("WebSocket read: " + ec.message());
  return json::parse(text);
}

json WsClient::ReadUntil(const std::function<bool(const json&)>& pred,
                         std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    json msg = Read(timeout);
    if (pred(msg)) return msg;
  }
  throw std::runtime_error("no matching WebSocket message in time");
}

int WsClient::ReadClose(std::chrono::seconds timeout) {
  std::string ignored;
  boost::system::error_code ec;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ec && std::chrono::steady_clock::now() < deadline) ec = ReadFrame(ignored, timeout);
  return ec == websocket::error::closed ? static_cast<int>(ws_.reason().code) : 0;
}

}  // namespace hotplex::testing
