// FakeAnthropicServer: a loopback HTTP server that plays a Script as the Anthropic
// Messages API and records every request it receives.
//
// Routes: POST /v1/messages (SSE when "stream": true, else JSON),
// POST /v1/messages/count_tokens, GET /_requests (every recorded request, oldest first;
// ?since=N skips the first N), DELETE /_requests, PUT /_script (replace the script),
// GET /_health, GET|HEAD /api/hello (the CLI's probe). Anything else is recorded, logged
// to stderr and answered with a 404 in the API's error shape.
// Thread-safety: Start/Stop from one owner thread; the request handlers run on the
// server's own pool and lock what they share.
// Each recorded request: {seq, method, path, session_id, api_key, authorization, body}.
#pragma once

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "tests/fake_anthropic/reply_picker.hpp"

namespace hotplex::fake_anthropic {

class FakeAnthropicServer {
 public:
  explicit FakeAnthropicServer(Script script);
  ~FakeAnthropicServer();
  FakeAnthropicServer(const FakeAnthropicServer&) = delete;
  FakeAnthropicServer& operator=(const FakeAnthropicServer&) = delete;

  // Binds 127.0.0.1:port (0 = any free port) and serves on a background thread.
  Result<int> Start(int port);
  void Stop();
  nlohmann::json Requests(std::size_t since = 0) const;

 private:
  void Routes();
  void Record(const httplib::Request& req, const nlohmann::json& body);
  void HandleMessages(const httplib::Request& req, httplib::Response& res);
  void HandleUnknown(const httplib::Request& req, httplib::Response& res);

  httplib::Server server_;
  std::thread thread_;
  ReplyPicker picker_;
  std::atomic<int> next_id_{1};
  mutable std::mutex log_mu_;
  std::vector<nlohmann::json> log_;
};

}  // namespace hotplex::fake_anthropic
