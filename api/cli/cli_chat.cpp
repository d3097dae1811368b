// hotplexd chat: a terminal client for people, over the public API only
// (api/PROTOCOL.md). Opens or re-attaches the session of a deterministic key,
// then hands over to ChatLoop (typed lines, Ctrl-C) and EventStream (SSE).
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "api/cli/cli.hpp"
#include "api/cli/cli_admin_client.hpp"
#include "api/cli/cli_chat_client.hpp"
#include "api/cli/cli_chat_input.hpp"
#include "api/cli/cli_chat_loop.hpp"
#include "api/cli/cli_chat_render.hpp"
#include "api/cli/cli_chat_stream.hpp"

namespace hotplex::cli {
namespace {

constexpr const char* kUsage =
    "usage: hotplexd chat [--key NAME] [--workdir DIR] [--provider claude-code|exec]\n"
    "                     [--url URL] [--state-dir DIR] [-- ARGV (exec)]\n\n"
    "Chat with an agent session from the terminal. Opens the session of --key (default\n"
    "'chat:' + the workdir, so the same command finds the same session again) or\n"
    "re-attaches to it, sends each line you type as a prompt and streams the answer.\n"
    "Tool calls and policy decisions are one line each; a permission request asks\n"
    "'allow? [y/N]' and your next line answers it. Ctrl-C interrupts the running turn;\n"
    "a second Ctrl-C within 2 s, Ctrl-C while idle, or Ctrl-D quits (the session stays).\n\n"
    "  --url URL        the API (default http://127.0.0.1:8080)\n"
    "  --workdir DIR    relative to your workspace root (default: the root)\n"
    "  --provider P     claude-code (default) or exec (argv after --)\n"
    "API key: $HOTPLEX_API_KEY, else <--state-dir, default ./var/hotplex>/api-key.\n"
    "exit status: 0 quit, 1 refused by the server, 2 usage, 3 unreachable or stream\n"
    "             lost, 4 no API key or key refused (401)\n";

// A typed line is one prompt; the server's default max_prompt_bytes.
constexpr std::size_t kMaxLineBytes = 1u << 20;

struct ChatArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string key;
  std::string workdir;
  std::string provider = "claude-code";
  std::string state_dir = "./var/hotplex";
  std::vector<std::string> argv;  // exec
};

Result<ChatArgs> ParseChatArgs(std::vector<std::string> args) {
  ChatArgs out;
  if (const auto dashes = std::find(args.begin(), args.end(), "--"); dashes != args.end()) {
    out.argv.assign(dashes + 1, args.end());
    args.erase(dashes, args.end());
  }
  std::string error;
  TakeOption(args, "--url", out.url, error);
  TakeOption(args, "--key", out.key, error);
  TakeOption(args, "--workdir", out.workdir, error);
  TakeOption(args, "--provider", out.provider, error);
  TakeOption(args, "--state-dir", out.state_dir, error);
  if (!error.empty()) return MakeError(error);
  if (!args.empty()) return MakeError("unknown argument '" + args.front() + "'");
  if (out.key.empty()) out.key = "chat:" + (out.workdir.empty() ? std::string(".") : out.workdir);
  return out;
}

nlohmann::json CreateRequest(const ChatArgs& args) {
  nlohmann::json body{{"provider", args.provider}, {"key", args.key}};
  if (!args.workdir.empty()) body["workdir"] = args.workdir;
  if (!args.argv.empty()) body["argv"] = args.argv;
  return body;
}

int ExitCodeOf(const ApiReply& reply) {
  return reply.status == 0 ? kExitUnreachable : reply.status == 401 ? kExitAuth : kExitFailed;
}

// The session's line: which one, new or found again, in which state.
void PrintSession(const ApiReply& reply, const std::string& key) {
  const auto text = [&](const char* name) {
    return TerminalSafe(reply.body.value(name, std::string()), false);
  };
  std::printf("[%s session %s (key %s, %s, workdir %s, %llu turns); Ctrl-D quits]\n",
              reply.status == 201 ? "new" : "re-attached to", text("id").c_str(),
              TerminalSafe(key, false).c_str(), text("state").c_str(), text("workdir").c_str(),
              static_cast<unsigned long long>(reply.body.value("turns", 0ULL)));
  std::fflush(stdout);
}

int Chat(const ChatArgs& args, const ApiEndpoint& endpoint) {
  auto api = ApiClient::Create(endpoint);
  if (!api)
    return std::fprintf(stderr, "hotplexd chat: %s\n", api.error().Describe().c_str()), kExitUsage;
  const ApiReply opened = (*api)->Post("/v1/sessions", CreateRequest(args));
  if (!opened.Ok() || !opened.body.is_object()) {
    std::fprintf(stderr, "hotplexd chat: cannot open the session at %s: %s\n", endpoint.url.c_str(),
                 TerminalSafe(opened.error, false).c_str());
    return ExitCodeOf(opened);
  }
  PrintSession(opened, args.key);
  auto input = ChatInput::Open(STDIN_FILENO, kMaxLineBytes);
  if (!input)
    return std::fprintf(stderr, "hotplexd chat: %s\n", input.error().Describe().c_str()), 1;
  const std::string id = opened.body.value("id", std::string());
  // A new session shows its start; a re-attached one only what comes next.
  const std::uint64_t after = opened.status == 201 ? 0 : opened.body.value("last_seq", 0ULL);
  ChatLoop loop(**api, id, stdout);
  EventStream stream(
      endpoint, id, after, [&](const nlohmann::json& e) { loop.OnEvent(e); },
      [&](const std::string& m) { loop.OnNotice(m); });
  stream.Start();
  const int code = loop.Run(**input, stream);
  stream.Stop();
  std::printf("\n[detached; the session stays: `hotplexd chat --key %s` re-attaches]\n",
              TerminalSafe(args.key, false).c_str());
  return code;
}

}  // namespace

int ChatMain(int argc, char** argv) {
  std::vector<std::string> raw(argv + 1, argv + argc);
  for (const auto& a : raw) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") return std::fputs(kUsage, stdout), kExitOk;
  }
  auto args = ParseChatArgs(std::move(raw));
  if (!args) {
    std::fprintf(stderr, "hotplexd chat: %s\n%s", args.error().Describe().c_str(), kUsage);
    return kExitUsage;
  }
  auto api_key = FindApiKey(args->state_dir);
  if (!api_key) {
    std::fprintf(stderr, "hotplexd chat: %s\n", api_key.error().Describe().c_str());
    return kExitAuth;
  }
  // A closed connection must surface as an error, not kill the client.
  std::signal(SIGPIPE, SIG_IGN);
  return Chat(*args, ApiEndpoint{args->url, *api_key});
}

}  // namespace hotplex::cli
