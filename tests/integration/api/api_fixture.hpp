// ApiFixture: an in-process `hotplexd serve` (api::Daemon) on ephemeral
// loopback ports with a temp state dir, two tenants (a, b) on the policy
// `test` and one (c) on `short` (1 s wall time), real policies compiled by the
// policy engine, and the SpawnBackend; plus small HTTP, SSE and WebSocket
// clients that talk to it over real sockets. Every wait is bounded.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include "api/daemon.hpp"
#include "sandbox/backend.hpp"
#include "supervisor/session_policy.hpp"

namespace hotplex::testing {

using nlohmann::json;

class MapPolicySource : public supervisor::PolicySource {
 public:
  supervisor::SessionPolicyPtr Get(std::string_view team) const override;
  std::map<std::string, supervisor::SessionPolicyPtr, std::less<>> policies;
};

struct HttpResult {
  int status = 0;
  json body;
  httplib::Headers headers;
};

class ApiFixture : public ::testing::Test {
 protected:
  static constexpr const char* kKeyA = "key-tenant-a";
  static constexpr const char* kKeyB = "key-tenant-b";
  static constexpr const char* kKeyC = "key-tenant-c";

  void SetUp() override;
  void TearDown() override;
  void StartDaemon();
  void StopDaemon();

  HttpResult Call(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& key = kKeyA, int port = 0);
  // Creates a session and returns its JSON (asserting 201).
  json CreateSession(const json& request, const std::string& key = kKeyA);
  // Reads the SSE stream of a session until `done` says so (or the timeout);
  // returns the parsed `data:` objects.
  std::vector<json> ReadEvents(const std::string& session_id, std::uint64_t after,
                               const std::function<bool(const std::vector<json>&)>& done,
                               const std::string& key = kKeyA,
                               std::chrono::seconds timeout = std::chrono::seconds(20));
  // Waits for an event of `type` (and matching `pred`) after `after`.
  json WaitForEvent(const std::string& session_id, std::uint64_t after, const std::string& type,
                    const std::function<bool(const json&)>& pred = nullptr);
  std::string WorkspaceOf(const std::string& tenant) const;
  // Whether any event has `type` (and, if given, data.<field> == value).
  static bool HasEvent(const std::vector<json>& events, const std::string& type,
                       const char* field = nullptr, const json& value = nullptr);
  static std::string FakeAgent();

  std::string dir_;
  supervisor::DaemonConfig config_;
  MapPolicySource policies_;
  std::unique_ptr<sandbox::Backend> backend_;  // registered under backend_->Kind()
  std::unique_ptr<api::Daemon> daemon_;
};

// A synchronous WebSocket client (Boost.Beast) for the tests.
class WsClient {
 public:
  // Connects to /ws/v1/agent; `auth` = "header" (Authorization) or "subprotocol".
  WsClient(int port, const std::string& key, const std::string& auth = "header");
  void Send(const json& message);
  void SendRaw(const std::string& text, bool binary = false);
  // Next message as JSON; throws on close/timeout.
  json Read(std::chrono::seconds timeout = std::chrono::seconds(20));
  // Reads until a message satisfies `pred` (bounded).
  json ReadUntil(const std::function<bool(const json&)>& pred,
                 std::chrono::seconds timeout = std::chrono::seconds(20));
  // Reads until the server closes; returns the close code (0 if none).
  int ReadClose(std::chrono::seconds timeout = std::chrono::seconds(20));
  std::string Subprotocol() const { return subprotocol_; }
  // Sends a ping; Pongs() counts the pongs read since the connection opened.
  void Ping();
  int Pongs() const { return pongs_; }

 private:
  boost::system::error_code ReadFrame(std::string& out, std::chrono::seconds timeout);

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  std::string subprotocol_;
  int pongs_ = 0;
};

}  // namespace hotplex::testing
