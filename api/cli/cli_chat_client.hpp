// The tenant API as `hotplexd chat` uses it (api/PROTOCOL.md): where the
// server is and which key opens it, and the few REST calls of a chat (open a
// session, send a prompt, interrupt, answer a permission request). A client
// of the public API only, over cpp-httplib.
// Thread-safety: ApiClient is used by one thread (the chat loop); the event
// stream has its own connection.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace httplib {
class Client;
}

namespace hotplex::cli {

struct ApiEndpoint {
  std::string url;      // http://HOST:PORT
  std::string api_key;  // the tenant's bearer key
};

// The tenant API key: $HOTPLEX_API_KEY, else the first line of
// <state_dir>/api-key (where `hotplexd serve` keeps the local tenant's key).
// The error says where it looked and how to fix it.
Result<std::string> FindApiKey(const std::string& state_dir);

// A client for `endpoint`, with the deadlines of an interactive tool.
Result<std::unique_ptr<httplib::Client>> MakeHttpClient(const ApiEndpoint& endpoint);

struct ApiReply {
  int status = 0;  // 0: no answer (connection refused, timeout)
  nlohmann::json body;
  // For people when not 2xx: "HTTP 409 conflict: ..." or "cannot reach ...".
  std::string error;
  bool Ok() const { return status >= 200 && status < 300; }
};

class ApiClient {
 public:
  static Result<std::unique_ptr<ApiClient>> Create(const ApiEndpoint& endpoint);
  ~ApiClient();

  ApiReply Post(const std::string& path, const nlohmann::json& body);

 private:
  explicit ApiClient(std::unique_ptr<httplib::Client> http);
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace hotplex::cli
