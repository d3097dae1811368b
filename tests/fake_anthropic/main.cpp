// fake-anthropic: a scriptable fake of the Anthropic Messages API for tests.
//
//   fake-anthropic [--port N] [--script FILE]
//
// Listens on 127.0.0.1:N (0, the default, picks a free port), prints the port on the
// first line of stdout, serves until SIGTERM/SIGINT. The script format is described in
// script.hpp; without one every prompt gets a short text reply.
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "tests/fake_anthropic/api_server.hpp"

namespace {

struct Options {
  int port = 0;
  std::string script_path;
};

bool ParseArgs(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      options.port = std::stoi(argv[++i]);
    } else if (arg == "--script" && i + 1 < argc) {
      options.script_path = argv[++i];
    } else {
      std::cerr << "usage: fake-anthropic [--port N] [--script FILE]\n";
      return false;
    }
  }
  return true;
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
