#include "tests/support/claude_cli.hpp"

#include <unistd.h>

#include <cstdlib>

namespace hotplex::testing {

std::string ClaudeBinary() {
  if (const char* bin = std::getenv("HOTPLEX_CLAUDE_BIN"); bin && *bin) return bin;
  const char* prefix = std::getenv("HOTPLEX_CLAUDE_PREFIX");
  return std::string(prefix && *prefix ? prefix : "/var/cache/hotplex/claude") +
         "/node_modules/.bin/claude";
}

std::string ClaudeMissingReason() {
  const std::string claude = ClaudeBinary();
  if (::access(claude.c_str(), X_OK) == 0) return {};
  return "Claude Code CLI not found at " + claude +
         ". Install it with scripts/test-setup (or scripts/install-claude), or point "
         "HOTPLEX_CLAUDE_BIN / HOTPLEX_CLAUDE_PREFIX at an installed one.";
}

}  // namespace hotplex::testing
