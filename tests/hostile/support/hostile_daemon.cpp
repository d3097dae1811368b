#include "tests/hostile/support/hostile_daemon.hpp"

#include <dirent.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "supervisor/api_key.hpp"

namespace hotplex::testing {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Reply Send(int port, const std::string& method, const std::string& path, const json& body,
           const std::string& bearer) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  httplib::Headers headers{{"Authorization", "Bearer " + bearer}};
  const std::string text = body.is_null() ? std::string() : body.dump();
  httplib::Result res = method == "POST"     ? client.Post(path, headers, text, "application/json")
                        : method == "DELETE" ? client.Delete(path, headers)
                                             : client.Get(path, headers);
  Reply out;
  if (!res) return out;
  out.status = res->status;
  out.raw = res->body;
  out.body = json::parse(res->body, nullptr, false);
  return out;
}

}  // namespace

HostileDaemon::HostileDaemon(HostileOptions options) : options_(std::move(options)) {
  // Sandboxed uids traverse the test dir to reach their workspace and home.
  ::chmod(dir_.Path().c_str(), 0711);
}

HostileDaemon::~HostileDaemon() { Stop(SIGKILL); }

// HOTPLEX_HOSTILE_BINARY runs the suite against another build (e.g. a copy of
// the binary from before a fix, to watch a test fail).
std::string HostileDaemon::Binary() {
  if (const char* other = std::getenv("HOTPLEX_HOSTILE_BINARY"); other != nullptr && *other != 0) {
    return other;
  }
  return std::string(HOTPLEX_BINARY_DIR) + "/hotplexd";
}

pid_t HostileDaemon::Pid() const { return process_ ? process_->Pid() : -1; }

void HostileDaemon::WriteConfig() const {
  fs::create_directories(Dir() + "/policies");
  std::ofstream policy(Dir() + "/policies/hostile.yaml");
  policy << "extends: default\nsandbox:\n  backend: " << options_.backend << "\n";
  if (!options_.image.empty()) policy << "  image: " << options_.image << "\n";
  policy << options_.sandbox_extra;
  policy << "provider:\n  exec:\n    allowed_commands: [/bin/sh]\n" << options_.policy_extra;
  std::ofstream config(ConfigPath());
  config << "listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\n"
         << "state_dir: " << StateDir() << "\npolicy_dir: " << Dir() << "/policies\n"
         << "tenants:\n";
  for (auto [id, key, uid] : {std::tuple{"a", kKeyA, kUidA}, {"b", kKeyB, kUidB}}) {
    config << "  - id: " << id << "\n    team: hostile\n    api_key_sha256: ["
           << supervisor::HashApiKey(key) << "]\n    workspace_root: " << WorkspaceOf(id)
           << "\n    uid: " << uid << "\n    gid: " << uid << "\n";
  }
  config << options_.config_extra;
}

std::optional<std::string> HostileDaemon::Start() {
  if (!fs::exists(ConfigPath())) WriteConfig();
  ProcessSpec spec;
  spec.argv = {Binary(), "serve", "--config", ConfigPath()};
  spec.env = InheritEnv({"PATH"});
  spec.env.push_back("HOTPLEX_DOCKER_INSTANCE=hostile-" + std::to_string(::getpid()) + "-" +
                     fs::path(Dir()).filename().string());
  spec.stderr_path = Dir() + "/hotplexd.stderr";
  auto proc = PipedProcess::Spawn(spec);
  if (!proc) return "spawn hotplexd: " + proc.error().Describe();
  process_ = std::make_unique<PipedProcess>(std::move(*proc));
  const std::regex serving(R"(serving the API on 127\.0\.0\.1:(\d+), admin on 127\.0\.0\.1:(\d+))");
  while (auto line = process_->ReadLine(std::chrono::seconds(30))) {
    std::smatch m;
    if (std::regex_search(*line, m, serving)) {
      api_port_ = std::stoi(m[1]);
      admin_port_ = std::stoi(m[2]);
      return std::nullopt;
    }
  }
  process_.reset();
  return "hotplexd did not start: " + Stderr();
}

void HostileDaemon::Stop(int signal) {
  if (!process_) return;
  process_->Kill(signal);
  if (!process_->Wait(std::chrono::seconds(20))) {
    process_->Kill(SIGKILL);
    process_->Wait(std::chrono::seconds(5));
  }
  process_.reset();
}

std::string HostileDaemon::AdminToken() const {
  std::string token = ReadFile(StateDir() + "/admin-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

std::string HostileDaemon::Stderr() const { return ReadFile(Dir() + "/hotplexd.stderr"); }

Reply HostileDaemon::Call(const std::string& method, const std::string& path, const json& body,
                          const std::string& tenant) const {
  return Send(api_port_, method, path, body, tenant == "b" ? kKeyB : kKeyA);
}

Reply HostileDaemon::Admin(const std::string& method, const std::string& path,
                           const json& body) const {
  return Send(admin_port_, method, path, body, AdminToken());
}

std::string HostileDaemon::CreateShell(const std::string& tenant, const std::string& workdir,
                                       Reply* failed) const {
  json request{{"provider", "exec"}, {"argv", {"/bin/sh"}}};
  if (!workdir.empty()) request["workdir"] = workdir;
  Reply reply = Call("POST", "/v1/sessions", request, tenant);
  if (reply.status == 201 || reply.status == 200) return reply.body.value("id", "");
  if (failed != nullptr) *failed = reply;
  return {};
}

std::optional<std::string> HostileDaemon::Sh(const std::string& session, const std::string& command,
                                             const std::string& tenant,
                                             std::chrono::seconds timeout) const {
  const std::string path = "/v1/sessions/" + session;
  const std::uint64_t after =
      Call("GET", path, nullptr, tenant).body.value("last_seq", std::uint64_t{0});
  const std::string marker = "__hostile_done_" + std::to_string(++marker_) + "__";
  // printf splits the marker so the shell's echo of the command never matches it.
  const std::string line = "{ " + command + "\n} 2>&1; printf '%s%s\\n' __hostile_done_ " +
                           std::to_string(marker_) + "__";
  if (Call("POST", path + "/messages", {{"text", line}}, tenant).status != 202) return std::nullopt;

  httplib::Client client("127.0.0.1", api_port_);
  client.set_read_timeout(2, 0);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  httplib::Headers headers{
      {"Authorization", std::string("Bearer ") + (tenant == "b" ? kKeyB : kKeyA)}};
  std::string pending, output;
  bool done = false;
  client.Get(path + "/events?after=" + std::to_string(after), headers,
             [&](const char* data, size_t n) {
               pending.append(data, n);
               for (auto end = pending.find("\n\n"); end != std::string::npos && !done;
                    end = pending.find("\n\n")) {
                 const std::string frame = pending.substr(0, end);
                 pending.erase(0, end + 2);
                 const auto pos = frame.find("data: ");
                 if (pos == std::string::npos) continue;
                 json event = json::parse(frame.substr(pos + 6), nullptr, false);
                 if (event.value("type", "") != "text") continue;
                 const std::string text = event["data"].value("text", "");
                 if (text == marker) {
                   done = true;
                 } else {
                   output += (output.empty() ? "" : "\n") + text;
                 }
               }
               return !done && std::chrono::steady_clock::now() < deadline;
             });
  if (!done) return std::nullopt;
  return output;
}

long HostileDaemon::RssKiB() const {
  std::ifstream in("/proc/" + std::to_string(Pid()) + "/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
  }
  return -1;
}

int HostileDaemon::OpenFds() const {
  int count = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(Pid()) + "/fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace hotplex::testing
