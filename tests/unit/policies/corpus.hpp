// Reads the command corpora under tests/corpus: one command per line, `#`
// comments and blank lines skipped, `@json "..."` for multi-line commands.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace hotplex::policies::testing {

inline std::vector<std::string> ReadCorpus(const std::string& name) {
  const std::string path = std::string(HOTPLEX_SOURCE_DIR) + "/tests/corpus/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open corpus " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("@json ", 0) == 0)
      out.push_back(nlohmann::json::parse(line.substr(6)).get<std::string>());
    else
      out.push_back(line);
  }
  return out;
}

}  // namespace hotplex::policies::testing
