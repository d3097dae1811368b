// SourceNode: a YAML document as a small tree whose every node remembers the
// file, line and column it came from. Merging `extends` chains happens on this
// tree, so a diagnostic about an inherited value still points into the parent
// file. This is the only place yaml-cpp exceptions are caught.
// Thread-safety: value types; ParseYamlText is reentrant.
#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policies/diagnostic.hpp"

namespace hotplex::policies {

struct SourceMark {
  std::shared_ptr<const std::string> file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

struct SourceEntry;

struct SourceNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  std::string scalar;
  bool append = false;  // a sequence written `+[...]` or under a `+key:`: appends when merged
  std::vector<SourceNode> items;     // kSequence
  std::vector<SourceEntry> entries;  // kMap, in file order
  SourceMark mark;

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
  // The value under `key` in a map, or nullptr.
  const SourceNode* Find(std::string_view key) const;
  SourceNode* Find(std::string_view key);
};

struct SourceEntry {
  SourceNode key;  // always a scalar
  SourceNode value;
};

const char* KindName(SourceNode::Kind kind);
Diagnostic MakeDiagnostic(const SourceMark& mark, std::string path, std::string message);

using ParseResult = boost::system::result<SourceNode, std::vector<Diagnostic>>;

// Parses one YAML document. An empty document is an empty map. Reports syntax
// errors, non-scalar and duplicate keys.
ParseResult ParseYamlText(std::string_view text, const std::string& file);

}  // namespace hotplex::policies
