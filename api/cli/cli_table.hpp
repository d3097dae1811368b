// A plain text table for the management CLI's human output: columns padded
// to their widest cell, two spaces apart. Thread-safety: pure function.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace hotplex::cli {

void PrintTable(std::FILE* out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace hotplex::cli
