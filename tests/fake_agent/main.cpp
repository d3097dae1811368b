// fake-agent: a small, fast stand-in for the Claude Code CLI in stream-json mode.
// See fake_agent.hpp for the protocol and directives.hpp for the script language.
#include <csignal>
#include <iostream>

#include "tests/fake_agent/fake_agent.hpp"

int main(int argc, char** argv) {
  using namespace hotplex::fake_agent;
  (void)std::signal(SIGPIPE, SIG_IGN);
  auto options = ParseAgentOptions(argc, argv);
  if (!options) {
    std::cerr << options.error().message << std::endl;
    return 2;
  }
  if (options->session_id.empty()) {
    ProtocolWriter ids(1, "");
    options->session_id = ids.NewUuid();
  }
  FakeAgent agent(std::move(*options), 0, 1);
  return agent.Run();
}
