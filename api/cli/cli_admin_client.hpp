// AdminClient: the management CLI's side of the admin API (cpp-httplib):
// where the server is (--server, default http://127.0.0.1:9080; https:// with
// --cacert), where the token comes from (--token-file, $HOTPLEX_ADMIN_TOKEN,
// <state dir>/admin-token), JSON calls and streamed reads, and the exit codes
// every admin sub-command shares.
// Thread-safety: one client per command; not shared.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hotplex::cli {

// Exit codes of `hotplexd status|session|audit|policy reload|config validate`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the server refused (4xx/5xx) or the check failed
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // no connection, TLS failure, timeout
inline constexpr int kExitAuth = 4;         // no token found, or the server answered 401

inline constexpr const char* kExitCodesHelp =
    "exit status: 0 ok, 1 refused by the server or check failed, 2 usage,\n"
    "             3 server unreachable, 4 no admin token or token refused (401)\n";
inline constexpr const char* kConnectionHelp =
    "connection: --server URL (default http://127.0.0.1:9080; https://... with --cacert FILE)\n"
    "            token: --token-file FILE, else $HOTPLEX_ADMIN_TOKEN, else\n"
    "            <--state-dir DIR, default ./var/hotplex>/admin-token\n";

struct AdminCallResult {
  int exit_code = kExitOk;
  int status = 0;
  nlohmann::json body;
  std::string error;  // for people, when exit_code != 0
};

class AdminClient {
 public:
  // Consumes the connection options from args (--server, --cacert, --token-file,
  // --state-dir); leaves the rest in `args`. Fails with a message.
  static std::unique_ptr<AdminClient> FromArgs(std::vector<std::string>& args, std::string& error,
                                               int& exit_code);
  ~AdminClient();

  AdminCallResult Call(const std::string& method, const std::string& path,
                       const std::string& body = "");
  // GET a streaming route; `chunk` gets the raw bytes, returns false to stop.
  AdminCallResult Stream(const std::string& path,
                         const std::function<bool(std::string_view chunk)>& chunk);

 private:
  AdminClient() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes a query value.
std::string UrlEncode(std::string_view value);
// Takes "--name VALUE" (or --name=VALUE) out of args; true if present (error set if
// VALUE is missing). The rest of args stays in order.
bool TakeOption(std::vector<std::string>& args, const std::string& name, std::string& value,
                std::string& error);
bool TakeFlag(std::vector<std::string>& args, const std::string& name);

}  // namespace hotplex::cli
