#include <cstdio>

#include "api/cli/cli.hpp"

#ifndef HOTPLEX_VERSION
#define HOTPLEX_VERSION "0.0.0"
#endif

namespace hotplex::cli {

int VersionMain(int, char**) {
  std::printf("hotplexd %s\n", HOTPLEX_VERSION);
  return 0;
}

}  // namespace hotplex::cli
