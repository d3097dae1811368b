// Where tests find the real Claude Code CLI, and what they say when it is missing.
// $HOTPLEX_CLAUDE_BIN, else ${HOTPLEX_CLAUDE_PREFIX:-/var/cache/hotplex/claude}
// /node_modules/.bin/claude (where scripts/install-claude puts it).
#pragma once

#include <string>

namespace hotplex::testing {

std::string ClaudeBinary();
// Empty when ClaudeBinary() is executable; otherwise the failure message for the test.
std::string ClaudeMissingReason();

}  // namespace hotplex::testing
