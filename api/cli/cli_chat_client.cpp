#include "api/cli/cli_chat_client.hpp"

#include <httplib.h>

#include <cstdlib>
#include <fstream>

namespace hotplex::cli {

Result<std::string> FindApiKey(const std::string& state_dir) {
  if (const char* env = std::getenv("HOTPLEX_API_KEY"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const std::string path = state_dir + "/api-key";
  std::ifstream in(path);
  std::string key;
  // A key is one short line; the bound keeps a wrong file from being read whole.
  if (in) std::getline(in, key, '\n');
  if (key.size() > 4096) key.clear();
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.empty()) {
    return MakeError(
        "no API key: set HOTPLEX_API_KEY, or point --state-dir at the daemon's state "
        "dir (" +
        path +
        " is missing, unreadable or empty; `hotplexd serve` "
        "writes it on first start when the config names no tenants)");
  }
  return key;
}

Result<std::unique_ptr<httplib::Client>> MakeHttpClient(const ApiEndpoint& endpoint) {
  auto http = std::make_unique<httplib::Client>(endpoint.url);
  if (!http->is_valid()) {
    return MakeError("--url must be http://HOST:PORT, not '" + endpoint.url + "'");
  }
  http->set_connection_timeout(5, 0);
  http->set_read_timeout(30, 0);
  http->set_write_timeout(30, 0);
  http->set_bearer_token_auth(endpoint.api_key);
  return http;
}

Result<std::unique_ptr<ApiClient>> ApiClient::Create(const ApiEndpoint& endpoint) {
  HOTPLEX_TRY(auto http, MakeHttpClient(endpoint));
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(http)));
}

ApiClient::ApiClient(std::unique_ptr<httplib::Client> http) : http_(std::move(http)) {}
ApiClient::~ApiClient() = default;

ApiReply ApiClient::Post(const std::string& path, const nlohmann::json& body) {
  ApiReply reply;
  auto res = http_->Post(path, body.dump(), "application/json");
  if (!res) {
    reply.error = "cannot reach the API: " + httplib::to_string(res.error());
    return reply;
  }
  reply.status = res->status;
  reply.body = nlohmann::json::parse(res->body, nullptr, false);
  if (reply.Ok()) return reply;
  const auto& error = reply.body.is_object() ? reply.body.value("error", nlohmann::json::object())
                                             : nlohmann::json::object();
  const auto text = [&](const char* key) {
    return error.contains(key) && error[key].is_string() ? error[key].get<std::string>() : "";
  };
  reply.error = "HTTP " + std::to_string(res->status) + " " + text("code") + ": " +
                (error.contains("message") ? text("message") : res->body.substr(0, 200));
  return reply;
}

}  // namespace hotplex::cli
