// The model gateway against the project's fake Messages API on loopback: the
// upstream receives the real key and never a token; a token is refused outside
// its own session; the response is streamed, not buffered; usage is metered
// from the upstream's own report; a tenant over budget gets a 429.
#include "supervisor/gateway/model_gateway.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <nlohmann/json.hpp>

#include "sandbox/netns_listener.hpp"
#include "supervisor/gateway/anthropic_dialect.hpp"
#include "tests/fake_anthropic/api_server.hpp"

namespace hotplex::gateway {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr const char* kRealKey = "sk-ant-real-key-only-the-daemon-holds";

// What a sandbox's network namespace gets, made on the host's loopback instead.
UniqueFd LoopbackListener() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd || ::bind(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.Get(), 16) != 0) {
    ADD_FAILURE() << "loopback listener";
  }
  return fd;
}

std::string MessagesBody(bool stream, int max_tokens = 256, const char* model = "claude-test") {
  return json{{"model", model},
              {"max_tokens", max_tokens},
              {"stream", stream},
              {"messages", {{{"role", "user"}, {"content", "hello"}}}}}
      .dump();
}

class ModelGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_anthropic::Script script;
    script.default_reply.text = "one two three four five six seven eight";
    script.default_reply.chunk_size = 4;
    script.default_reply.input_tokens = 11;
    script.default_reply.output_tokens = 7;
    StartFake(script);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    for (auto& endpoint : endpoints_) endpoint->Close();
    endpoints_.clear();
    work_.reset();
    thread_.join();
    fake_->Stop();
  }

  void StartFake(fake_anthropic::Script script) {
    fake_ = std::make_unique<fake_anthropic::FakeAnthropicServer>(std::move(script));
    auto port = fake_->Start(0);
    ASSERT_TRUE(port) << port.error().Describe();
    GatewayConfig config;
    config.upstream = *ParseUpstreamUrl("http://127.0.0.1:" + std::to_string(*port));
    config.credential = kRealKey;
    config.max_request_body_bytes = 64 * 1024;
    GatewayHooks hooks;
    hooks.on_call = [this](const CallRecord& r) {
      std::lock_guard lock(mu_);
      calls_.push_back(r);
    };
    hooks.on_budget_exceeded = [this](const std::string& session, const std::string& message) {
      std::lock_guard lock(mu_);
      budget_events_.push_back(session + ": " + message);
    };
    auto gateway = ModelGateway::Create(io_, config, std::make_unique<AnthropicDialect>(), hooks);
    ASSERT_TRUE(gateway) << gateway.error().Describe();
    gateway_ = *gateway;
  }

  // A session's endpoint, listening on the host's loopback; returns its port.
  int OpenSession(const std::string& session, const std::string& tenant, std::string& token,
                  TokenBudget budget = {}, CallLimits limits = {}) {
    auto endpoint = gateway_->Open(SessionGrant{session, tenant, limits, budget});
    EXPECT_TRUE(endpoint);
    UniqueFd listener = LoopbackListener();
    const int port = *sandbox::BoundPort(listener.Get());
    EXPECT_TRUE((*endpoint)->Listen(std::move(listener)));
    token = (*endpoint)->Token();
    endpoints_.push_back(*endpoint);
    return port;
  }

  // The gateway reports a call after its last byte went out: the client may
  // see the response first. Waits up to 2 s for `count` records.
  std::vector<CallRecord> Calls(std::size_t count = 1) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu_);
        if (calls_.size() >= count) return calls_;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mu_);
    return calls_;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
  std::unique_ptr<fake_anthropic::FakeAnthropicServer> fake_;
  std::shared_ptr<ModelGateway> gateway_;
  std::vector<std::shared_ptr<SessionEndpoint>> endpoints_;
  std::mutex mu_;
  std::vector<CallRecord> calls_;
  std::vector<std::string> budget_events_;
};

httplib::Result Post(int port, const std::string& token, const std::string& body,
                     const std::string& path = "/v1/messages") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  return client.Post(path, {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}}, body,
                     "application/json");
}

TEST_F(ModelGatewayTest, UpstreamGetsTheRealKeyAndUsageIsMetered) {
  std::string token;
  const int port = OpenSession("s-a", "team-a", token);
  auto res = Post(port, token, MessagesBody(true));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("message_stop"), std::string::npos) << res->body;
  const json requests = fake_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["api_key"], kRealKey);
  EXPECT_EQ(requests[0]["authorization"], "");
  EXPECT_EQ(requests[0]["body"]["model"], "claude-test");
  EXPECT_EQ(requests.dump().find(token), std::string::npos) << "the token never goes upstream";

  const auto calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].session_id, "s-a");
  EXPECT_EQ(calls[0].tenant, "team-a");
  EXPECT_TRUE(calls[0].metered);
  EXPECT_EQ(calls[0].status, 200);
  EXPECT_EQ(calls[0].usage.model, "claude-test");
  EXPECT_EQ(calls[0].usage.input_tokens, 11u);
  EXPECT_EQ(calls[0].usage.output_tokens, 7u);
  EXPECT_EQ(gateway_->SpentBy("team-a").day, 18u);
}

TEST_F(ModelGatewayTest, NonStreamedCallIsMeteredToo) {
  std::string token;
  const int port = OpenSession("s-a", "team-a", token);
  httplib::Client client("127.0.0.1", port);
  auto res = client.Post("/v1/messages", {{"Authorization", "Bearer " + token}},
                         MessagesBody(false), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["usage"]["input_tokens"], 11);
  EXPECT_EQ(fake_->Requests()[0]["api_key"], kRealKey);
  EXPECT_EQ(fake_->Requests()[0]["authorization"], "") << "the bearer token is not forwarded";
  const auto calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].usage.Total(), 18u);
}

TEST_F(ModelGatewayTest, TokenOfAnotherSessionOrTenantIsRefused) {
  std::string token_a, token_b, token_c;
  const int port_a = OpenSession("s-a", "team-a", token_a);
  OpenSession("s-b", "team-a", token_b);
  OpenSession("s-c", "team-c", token_c);
  for (const std::string& wrong : {token_b, token_c, std::string("sk-ant-guess"), std::string()}) {
    auto res = Post(port_a, wrong, MessagesBody(true));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    const json body = json::parse(res->body);
    EXPECT_EQ(body["type"], "error");
    EXPECT_EQ(body["error"]["type"], "authentication_error");
  }
  EXPECT_EQ(fake_->Requests().size(), 0u) << "nothing reached the upstream";
  endpoints_[0]->Close();  // the session ends: its token is revoked with it
  std::this_thread::sleep_for(50ms);
  auto again = Post(port_a, token_a, MessagesBody(true));
  EXPECT_TRUE(!again || again->status == 401);
}

TEST_F(ModelGatewayTest, StreamIsRelayedAsItArrives) {
  fake_anthropic::Script script;
  script.default_reply.text = "aaaa bbbb cccc dddd eeee ffff";
  script.default_reply.chunk_size = 5;
  script.default_reply.delay_ms = 150;  // the upstream pauses before every delta
  fake_->Stop();
  StartFake(script);
  std::string token;
  const int port = OpenSession("s-a", "team-a", token);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  const auto start = Clock::now();
  std::optional<Clock::duration> first_delta;
  std::string received;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/messages";
  req.headers = {{"x-api-key", token}, {"Content-Type", "application/json"}};
  req.body = MessagesBody(true);
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received.append(data, n);
    if (!first_delta && received.find("text_delta") != std::string::npos) {
      first_delta = Clock::now() - start;
    }
    return true;
  };
  auto res = client.send(req);
  const auto total = Clock::now() - start;
  ASSERT_TRUE(res);
  ASSERT_TRUE(first_delta);
  // Six deltas, 150 ms apart: buffering would deliver the first one at the end.
  EXPECT_LT(*first_delta + 500ms, total)
      << "first delta after " << std::chrono::duration<double>(*first_delta).count()
      << " s, whole response " << std::chrono::duration<double>(total).count() << " s";
  EXPECT_NE(received.find("message_stop"), std::string::npos);
}

TEST_F(ModelGatewayTest, OverBudgetIs429AndTheSessionIsTold) {
  std::string token;
  const int port = OpenSession("s-a", "team-a", token, TokenBudget{/*per day*/ 10, 0});
  auto first = Post(port, token, MessagesBody(true));  // under budget: 18 tokens spent
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_EQ(Calls(1).size(), 1u);  // charged once the call was reported
  auto second = Post(port, token, MessagesBody(true));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429);
  EXPECT_EQ(second->get_header_value("x-should-retry"), "false");
  const json body = json::parse(second->body);
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("tokens_per_day"), std::string::npos);
  EXPECT_EQ(fake_->Requests().size(), 1u);
  std::lock_guard lock(mu_);
  ASSERT_EQ(budget_events_.size(), 1u);
  EXPECT_EQ(budget_events_[0].rfind("s-a: ", 0), 0u) << budget_events_[0];
}

TEST_F(ModelGatewayTest, PolicyLimitsAndBodyLimit) {
  std::string token;
  const int port =
      OpenSession("s-a", "team-a", token, {}, CallLimits{{"claude-allowed*"}, /*max out*/ 100});
  auto model = Post(port, token, MessagesBody(true, 10, "claude-other"));
  ASSERT_TRUE(model);
  EXPECT_EQ(model->status, 400);
  EXPECT_NE(model->body.find("allowed_models"), std::string::npos);
  auto max_tokens = Post(port, token, MessagesBody(true, 101, "claude-allowed-1"));
  ASSERT_TRUE(max_tokens);
  EXPECT_EQ(max_tokens->status, 400);
  EXPECT_NE(max_tokens->body.find("max_output_tokens"), std::string::npos);
  auto path = Post(port, token, "{}", "/v1/organizations/x");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->status, 404);
  auto big = Post(port, token, std::string(70 * 1024, ' '));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(fake_->Requests().size(), 0u);
}

// Time to the first response byte of a streamed call, 50 calls each way on
// one machine: straight to the fake upstream and through the gateway (which
// opens a new upstream connection per call). The figures are printed for the
// record; what is asserted is that every call through the gateway streams.
// Speed belongs in tests/bench/, not in a timed assertion.
double FirstByteP50Ms(int port, const std::string& key, std::vector<double>* all = nullptr) {
  std::vector<double> samples;
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 50; ++i) {
    std::optional<double> first;
    const auto start = Clock::now();
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/messages";
    req.headers = {{"x-api-key", key}, {"Content-Type", "application/json"}};
    req.body = MessagesBody(true);
    req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
      if (!first) first = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      return true;
    };
    if (client.send(req) && first) samples.push_back(*first);
  }
  std::sort(samples.begin(), samples.end());
  if (all != nullptr) *all = samples;
  return samples.empty() ? 1e9 : samples[samples.size() / 2];
}

TEST_F(ModelGatewayTest, FiftySequentialStreamedCallsAllDeliverAFirstByte) {
  std::string token;
  const int port = OpenSession("s-a", "team-a", token);
  const int upstream = std::stoi(gateway_->Config().upstream.HostHeader().substr(10));
  std::vector<double> direct_all, gateway_all;
  const double direct = FirstByteP50Ms(upstream, kRealKey, &direct_all);
  const double through = FirstByteP50Ms(port, token, &gateway_all);
  ASSERT_EQ(direct_all.size(), 50u);
  ASSERT_EQ(gateway_all.size(), 50u);
  std::printf("first byte p50/max ms: direct %.3f/%.3f, gateway %.3f/%.3f\n", direct,
              direct_all.back(), through, gateway_all.back());
}

TEST_F(ModelGatewayTest, UnreachableUpstreamIs502) {
  fake_->Stop();
  std::string token;
  const int port = OpenSession("s-a", "team-a", token);
  auto res = Post(port, token, MessagesBody(true));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_EQ(json::parse(res->body)["error"]["type"], "api_error");
}

}  // namespace
}  // namespace hotplex::gateway
