#include "policies/source_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace hotplex::policies {
namespace {

// Converts yaml-cpp nodes, collecting every problem instead of stopping.
class Converter {
 public:
  Converter(std::shared_ptr<const std::string> file, std::vector<Diagnostic>& out)
      : file_(std::move(file)), out_(out) {}

  SourceNode Convert(const YAML::Node& node, int line_shift, int column_shift) {
    SourceNode result;
    result.mark = MarkOf(node, line_shift, column_shift);
    switch (node.Type()) {
      case YAML::NodeType::Scalar: ConvertScalar(node, result, line_shift, column_shift); break;
      case YAML::NodeType::Sequence:
        result.kind = SourceNode::Kind::kSequence;
        for (const auto& item : node)
          result.items.push_back(Convert(item, line_shift, column_shift));
        break;
      case YAML::NodeType::Map: ConvertMap(node, result, line_shift, column_shift); break;
      default: result.kind = SourceNode::Kind::kNull; break;
    }
    return result;
  }

 private:
  SourceMark MarkOf(const YAML::Node& node, int line_shift, int column_shift) const {
    const YAML::Mark m = node.Mark();
    if (m.line < 0) return SourceMark{file_, line_shift + 1, column_shift + 1};
    // Columns shift only on the first line of an embedded `+[...]` document.
    const int column = m.line == 0 ? m.column + column_shift : m.column;
    return SourceMark{file_, m.line + line_shift + 1, column + 1};
  }

  void ConvertScalar(const YAML::Node& node, SourceNode& result, int line_shift, int column_shift) {
    result.kind = SourceNode::Kind::kScalar;
    result.scalar = node.Scalar();
    // A plain (unquoted) `+[a, b]` is the append form of a list.
    const bool plain = node.Tag() == "?";
    if (!plain || result.scalar.size() < 3 || result.scalar.rfind("+[", 0) != 0) return;
    const YAML::Mark m = node.Mark();
    const int inner_line = m.line + line_shift;
    const int inner_column = (m.line == 0 ? m.column + column_shift : m.column) + 1;
    try {
      const YAML::Node inner = YAML::Load(result.scalar.substr(1));
      if (!inner.IsSequence()) return;
      SourceNode seq = Convert(inner, inner_line, inner_column);
      seq.append = true;
      seq.mark = result.mark;
      result = std::move(seq);
    } catch (const YAML::Exception& e) {
      out_.push_back(MakeDiagnostic(result.mark, "", "invalid '+[...]' list: " + e.msg));
    }
  }

  void ConvertMap(const YAML::Node& node, SourceNode& result, int line_shift, int column_shift) {
    result.kind = SourceNode::Kind::kMap;
    std::set<std::string> seen;
    for (const auto& kv : node) {
      SourceNode key = Convert(kv.first, line_shift, column_shift);
      if (!key.IsScalar()) {
        out_.push_back(MakeDiagnostic(key.mark, "", "map keys must be plain strings"));
        continue;
      }
      SourceNode value = Convert(kv.second, line_shift, column_shift);
      if (key.scalar.size() > 1 && key.scalar[0] == '+') {
        key.scalar.erase(0, 1);
        if (value.IsSequence())
          value.append = true;
        else
          out_.push_back(MakeDiagnostic(value.mark, key.scalar, "a '+key:' must hold a list"));
      }
      if (!seen.insert(key.scalar).second) {
        out_.push_back(MakeDiagnostic(key.mark, key.scalar, "duplicate key"));
        continue;
      }
      result.entries.push_back(SourceEntry{std::move(key), std::move(value)});
    }
  }

  std::shared_ptr<const std::string> file_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

const SourceNode* SourceNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

SourceNode* SourceNode::Find(std::string_view key) {
  for (auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

const char* KindName(SourceNode::Kind kind) {
  switch (kind) {
    case SourceNode::Kind::kNull: return "nothing";
    case SourceNode::Kind::kScalar: return "a scalar";
    case SourceNode::Kind::kSequence: return "a list";
    case SourceNode::Kind::kMap: return "a map";
  }
  return "nothing";
}

Diagnostic MakeDiagnostic(const SourceMark& mark, std::string path, std::string message) {
  return Diagnostic{mark.file ? *mark.file : std::string("<unknown>"), mark.line, mark.column,
                    std::move(path), std::move(message)};
}

ParseResult ParseYamlText(std::string_view text, const std::string& file) {
  auto shared_file = std::make_shared<const std::string>(file);
  std::vector<Diagnostic> diagnostics;
  SourceNode root;
  try {
    const YAML::Node doc = YAML::Load(std::string(text));
    root = Converter(shared_file, diagnostics).Convert(doc, 0, 0);
  } catch (const YAML::Exception& e) {
    const SourceMark mark{shared_file, e.mark.line + 1, e.mark.column + 1};
    diagnostics.push_back(MakeDiagnostic(mark, "", "YAML syntax error: " + e.msg));
    return diagnostics;
  }
  if (root.IsNull()) {
    root.kind = SourceNode::Kind::kMap;
    root.mark = SourceMark{shared_file, 1, 1};
  }
  if (!root.IsMap()) {
    diagnostics.push_back(MakeDiagnostic(root.mark, "",
                                         std::string("expected a map at the top "
                                                     "level, found ") +
                                             KindName(root.kind)));
  }
  if (!diagnostics.empty()) return diagnostics;
  return root;
}

}  // namespace hotplex::policies
