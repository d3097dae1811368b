// fake-anthropic: a scriptable fake of the Anthropic Messages API for tests.
//
//   fake-anthropic [--port N] [--script FILE]
//
// Listens on 127.0.0.1:N (0, the default, picks a free port), prints the port on the
// first line of stdout, serves until SIGTERM/SIGINT. The script format is described in
// script.hpp; without one every prompt gets a short text reply.
#include <charconv>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "common/argv.hpp"
#include "tests/fake_anthropic/api_server.hpp"

namespace {

struct Options {
  int port = 0;
  std::string script_path;
};

hotplex::Status ParsePort(const std::string& text, int& port) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec == std::errc() && end == text.data() + text.size() && port >= 0 && port <= 65535) {
    return {};
  }
  return hotplex::MakeError("invalid --port '" + text + "': expected 0..65535");
}

bool ParseArgs(int argc, char** argv, Options& options) {
  hotplex::ArgvParser parser;
  parser.Value({"--port"}, [&options](const std::string& v) { return ParsePort(v, options.port); })
      .Value({"--script"}, options.script_path);
  const auto rest = parser.Parse(hotplex::ArgsOf(argc, argv));
  if (rest && rest->empty()) return true;
  std::cerr << "fake-anthropic: "
            << (rest ? "unexpected argument '" + rest->front() + "'" : rest.error().message)
            << "\nusage: fake-anthropic [--port N] [--script FILE]\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hotplex::fake_anthropic;
  Options options;
  if (!ParseArgs(argc, argv, options)) return 2;
  auto script = options.script_path.empty() ? hotplex::Result<Script>(DefaultScript())
                                            : LoadScript(options.script_path);
  if (!script) {
    std::cerr << "fake-anthropic: " << script.error().Describe() << "\n";
    return 2;
  }
  // Block the stop signals before any thread starts, so only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  (void)std::signal(SIGPIPE, SIG_IGN);

  FakeAnthropicServer server(std::move(*script));
  auto port = server.Start(options.port);
  if (!port) {
    std::cerr << port.error().Describe() << "\n";
    return 1;
  }
  std::cout << *port << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  return 0;
}
