// SchemaReader: typed access to a SourceNode tree that records a Diagnostic
// (file:line:column, field path, what was expected) for every problem and
// keeps going, so the loader can report all problems at once.
// Thread-safety: one reader per load; not shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/diagnostic.hpp"
#include "policies/source_tree.hpp"

namespace hotplex::policies {

// The closest candidate within a small edit distance, or empty.
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

class SchemaReader {
 public:
  explicit SchemaReader(std::vector<Diagnostic>& out) : out_(out) {}

  void Error(const SourceNode& at, std::string_view path, std::string message);

  // True if `node` is a map; reports every key not in `known` (with a suggestion).
  bool Map(const SourceNode& node, std::string_view path, std::vector<std::string_view> known);
  bool List(const SourceNode& node, std::string_view path);
  std::optional<std::string> String(const SourceNode& node, std::string_view path);
  std::optional<bool> Bool(const SourceNode& node, std::string_view path);
  std::optional<std::uint64_t> Uint(const SourceNode& node, std::string_view path,
                                    std::uint64_t min, std::uint64_t max);
  std::optional<std::uint64_t> Size(const SourceNode& node, std::string_view path);
  std::optional<std::chrono::milliseconds> Duration(const SourceNode& node, std::string_view path);
  std::optional<double> Cores(const SourceNode& node, std::string_view path);
  std::optional<std::vector<std::string>> StringList(const SourceNode& node, std::string_view path);
  // One of `choices`, with a did-you-mean otherwise.
  std::optional<std::string> Choice(const SourceNode& node, std::string_view path,
                                    const std::vector<std::string_view>& choices);

 private:
  std::vector<Diagnostic>& out_;
};

std::string JoinPath(std::string_view parent, std::string_view key);
std::string IndexPath(std::string_view parent, std::size_t index);

}  // namespace hotplex::policies
