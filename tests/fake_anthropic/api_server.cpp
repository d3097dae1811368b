#include "tests/fake_anthropic/api_server.hpp"

#include <chrono>
#include <iostream>
#include <memory>

#include "tests/fake_anthropic/reply_encoder.hpp"

namespace hotplex::fake_anthropic {
namespace {

using nlohmann::json;

constexpr int kPoolThreads = 64;  // slow scripted streams hold a thread each

void SendError(httplib::Response& res, int status, const std::string& type,
               const std::string& message) {
  res.status = status;
  json body = {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
  res.set_content(body.dump(), "application/json");
}

void StreamEvents(httplib::Response& res, std::vector<SseEvent> events) {
  auto shared = std::make_shared<std::vector<SseEvent>>(std::move(events));
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [shared](std::size_t, httplib::DataSink& sink) {
        for (const SseEvent& event : *shared) {
          if (event.delay_ms > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(event.delay_ms));
          }
          const std::string frame = FormatSse(event);
          // The client went away (e.g. an interrupted CLI turn): stop streaming.
          if (!sink.is_writable() || !sink.write(frame.data(), frame.size())) return false;
        }
        sink.done();
        return true;
      });
}

}  // namespace

FakeAnthropicServer::FakeAnthropicServer(Script script) : picker_(std::move(script)) {
  server_.new_task_queue = [] { return new httplib::ThreadPool(kPoolThreads); };
  Routes();
}

FakeAnthropicServer::~FakeAnthropicServer() { Stop(); }

Result<int> FakeAnthropicServer::Start(int port) {
  int bound = port;
  if (port == 0) {
    bound = server_.bind_to_any_port("127.0.0.1");
  } else if (!server_.bind_to_port("127.0.0.1", port)) {
    bound = -1;
  }
  if (bound < 0) return MakeError("fake-anthropic: cannot bind 127.0.0.1:" + std::to_string(port));
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() does nothing before the accept loop runs (and the loop would then
  // run forever), so only report the port once the loop is up.
  for (int waited_ms = 0; !server_.is_running(); ++waited_ms) {
    if (waited_ms == 5000) return MakeError("fake-anthropic: the server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void FakeAnthropicServer::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

json FakeAnthropicServer::Requests(std::size_t since) const {
  std::lock_guard lock(log_mu_);
  json all = json::array();
  for (std::size_t i = since; i < log_.size(); ++i) all.push_back(log_[i]);
  return all;
}

void FakeAnthropicServer::Record(const httplib::Request& req, const json& body) {
  json entry = {{"method", req.method},
                {"path", req.path},
                {"session_id", req.get_header_value("X-Claude-Code-Session-Id")},
                // The credential as received: the model gateway tests check that the
                // real key arrives here and the sandbox's token never does.
                {"api_key", req.get_header_value("x-api-key")},
                {"authorization", req.get_header_value("Authorization")},
                {"body", body}};
  std::lock_guard lock(log_mu_);
  entry["seq"] = log_.size();
  log_.push_back(std::move(entry));
}

void FakeAnthropicServer::Routes() {
  server_.Post("/v1/messages", [this](const auto& req, auto& res) { HandleMessages(req, res); });
  server_.Post("/v1/messages/count_tokens", [this](const auto& req, auto& res) {
    json body = json::parse(req.body, nullptr, false);
    Record(req, body);
    res.set_content(json{{"input_tokens", req.body.size() / 4 + 1}}.dump(), "application/json");
  });
  server_.Get("/_requests", [this](const auto& req, auto& res) {
    std::size_t since = req.has_param("since") ? std::stoul(req.get_param_value("since")) : 0;
    res.set_content(Requests(since).dump(), "application/json");
  });
  server_.Delete("/_requests", [this](const auto&, auto& res) {
    std::lock_guard lock(log_mu_);
    log_.clear();
    res.status = 204;
  });
  server_.Put("/_script", [this](const auto& req, auto& res) {
    auto script = ParseScript(req.body);
    if (!script) return SendError(res, 400, "invalid_request_error", script.error().message);
    picker_.Replace(std::move(*script));
    res.status = 204;
  });
  server_.Get("/_health", [](const auto&, auto& res) { res.set_content("ok\n", "text/plain"); });
  // Connectivity probe the CLI sends (as HEAD) when non-essential traffic is not disabled.
  server_.Get("/api/hello", [this](const auto& req, auto& res) {
    Record(req, nullptr);
    res.set_content("{}", "application/json");
  });
  auto unknown = [this](const auto& req, auto& res) { HandleUnknown(req, res); };
  server_.Get(".*", unknown);
  server_.Post(".*", unknown);
  server_.Put(".*", unknown);
  server_.Delete(".*", unknown);
  server_.Patch(".*", unknown);
  server_.Options(".*", unknown);
}

void FakeAnthropicServer::HandleMessages(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  Record(req, body.is_discarded() ? json(req.body) : body);
  if (body.is_discarded() || !body.is_object()) {
    return SendError(res, 400, "invalid_request_error", "body is not a JSON object");
  }
  const Reply reply = picker_.Pick(body, req.get_header_value("X-Claude-Code-Session-Id"));
  if (reply.error)
    return SendError(res, reply.error->status, reply.error->type, reply.error->message);
  const int n = next_id_++;
  ReplyIds ids{body.value("model", "claude-fake"), "msg_fake_" + std::to_string(n),
               reply.tool_use && !reply.tool_use->id.empty() ? reply.tool_use->id
                                                             : "toolu_fake_" + std::to_string(n)};
  if (body.value("stream", false)) return StreamEvents(res, EncodeStream(reply, ids));
  if (reply.first_byte_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(reply.first_byte_delay_ms));
  }
  res.set_content(EncodeMessage(reply, ids).dump(), "application/json");
}

void FakeAnthropicServer::HandleUnknown(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  Record(req, body.is_discarded() ? json(req.body) : body);
  std::cerr << "fake-anthropic: unknown route " << req.method << " " << req.path << std::endl;
  if (req.path == "/" && (req.method == "GET" || req.method == "HEAD")) {
    res.set_content("fake-anthropic\n", "text/plain");
    return;
  }
  SendError(res, 404, "not_found_error", "fake-anthropic: no route " + req.method + " " + req.path);
}

}  // namespace hotplex::fake_anthropic
