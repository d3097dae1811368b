#include "api/cli/cli_admin_client.hpp"

#include <httplib.h>

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "common/argv.hpp"

namespace hotplex::cli {

struct AdminClient::Impl {
  std::unique_ptr<httplib::Client> http;
  std::string token;
};

namespace {

std::string ReadToken(const std::string& token_file, const std::string& state_dir) {
  if (token_file.empty()) {
    if (const char* env = std::getenv("HOTPLEX_ADMIN_TOKEN"); env != nullptr && *env != '\0') {
      return env;
    }
  }
  std::ifstream in(token_file.empty() ? state_dir + "/admin-token" : token_file);
  std::string token;
  std::getline(in, token);
  return token;
}

AdminCallResult FromResponse(const httplib::Result& res) {
  AdminCallResult out;
  if (!res) {
    out.exit_code = kExitUnreachable;
    out.error = "cannot reach the admin API: " + httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status >= 200 && res->status < 300) return out;
  out.exit_code = res->status == 401 ? kExitAuth : kExitFailed;
  const auto& err = out.body.is_object() ? out.body.value("error", nlohmann::json::object())
                                         : nlohmann::json::object();
  out.error = "HTTP " + std::to_string(res->status) + " " + err.value("code", "") + ": " +
              err.value("message", res->body.substr(0, 200));
  return out;
}

}  // namespace

// Each command takes its options in stages (the connection's, then its own):
// a stage keeps what it does not know for the next one.
bool TakeOption(std::vector<std::string>& args, const std::string& name, std::string& value,
                std::string& error) {
  bool found = false;
  ArgvParser parser;
  parser.Unknown(ArgvParser::UnknownOptions::kKeep).Value({name}, [&](const std::string& v) {
    value = v;
    found = true;
    return Status{};
  });
  auto rest = parser.Parse(args);
  if (!rest) {
    error = rest.error().message;
    return false;
  }
  args = std::move(*rest);
  return found;
}

bool TakeFlag(std::vector<std::string>& args, const std::string& name) {
  bool found = false;
  ArgvParser parser;
  auto rest = parser.Unknown(ArgvParser::UnknownOptions::kKeep).Switch({name}, found).Parse(args);
  if (rest) args = std::move(*rest);
  return found;
}

std::string UrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '*') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::unique_ptr<AdminClient> AdminClient::FromArgs(std::vector<std::string>& args,
                                                   std::string& error, int& exit_code) {
  std::string server = "http://127.0.0.1:9080";
  std::string cacert, token_file, state_dir = "./var/hotplex";
  TakeOption(args, "--server", server, error);
  TakeOption(args, "--cacert", cacert, error);
  TakeOption(args, "--token-file", token_file, error);
  TakeOption(args, "--state-dir", state_dir, error);
  exit_code = kExitUsage;
  if (!error.empty()) return nullptr;
  std::unique_ptr<AdminClient> client(new AdminClient());
  client->impl_ = std::make_unique<Impl>();
  client->impl_->token = ReadToken(token_file, state_dir);
  if (client->impl_->token.empty()) {
    exit_code = kExitAuth;
    error = "no admin token: set HOTPLEX_ADMIN_TOKEN, --token-file or --state-dir";
    return nullptr;
  }
  auto http = std::make_unique<httplib::Client>(server);
  if (!http->is_valid()) {
    error = "--server must be http://HOST:PORT or https://HOST:PORT, not '" + server + "'";
    return nullptr;
  }
  if (!cacert.empty()) http->set_ca_cert_path(cacert.c_str());
  http->set_connection_timeout(5, 0);
  http->set_read_timeout(60, 0);
  http->set_bearer_token_auth(client->impl_->token);
  client->impl_->http = std::move(http);
  return client;
}

AdminClient::~AdminClient() = default;

AdminCallResult AdminClient::Call(const std::string& method, const std::string& path,
                                  const std::string& body) {
  auto& http = *impl_->http;
  if (method == "POST") return FromResponse(http.Post(path, body, "application/json"));
  return FromResponse(http.Get(path));
}

AdminCallResult AdminClient::Stream(const std::string& path,
                                    const std::function<bool(std::string_view)>& chunk) {
  int status = 0;
  std::string error_body;
  auto res = impl_->http->Get(
      path,
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, std::size_t n) {
        if (status >= 300) {
          error_body.append(data, std::min<std::size_t>(n, 4096));
          return true;
        }
        return chunk(std::string_view(data, n));
      });
  AdminCallResult out;
  out.status = status;
  if (status >= 300) {
    out.exit_code = status == 401 ? kExitAuth : kExitFailed;
    out.error = "HTTP " + std::to_string(status) + ": " + error_body.substr(0, 300);
  } else if (!res && res.error() != httplib::Error::Canceled) {
    out.exit_code = kExitUnreachable;
    out.error = "cannot reach the admin API: " + httplib::to_string(res.error());
  }
  return out;
}

}  // namespace hotplex::cli
