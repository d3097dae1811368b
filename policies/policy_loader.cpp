#include "policies/policy_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "policies/policy_decoder.hpp"
#include "policies/policy_merge.hpp"
#include "policies/schema_reader.hpp"
#include "policies/source_tree.hpp"

namespace hotplex::policies {
namespace {

namespace fs = std::filesystem;
using Diagnostics = std::vector<Diagnostic>;
using TreeResult = boost::system::result<SourceNode, Diagnostics>;

constexpr std::size_t kMaxPolicyBytes = 1 << 20;
constexpr std::size_t kMaxChain = 16;
constexpr std::string_view kBuiltinLabel = "<builtin default>";

bool IsPolicyName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && s != "." && s != ".." &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_' || c == '.';
         });
}

Diagnostic FileProblem(const std::string& file, std::string message) {
  return Diagnostic{file, 0, 0, "", std::move(message)};
}

boost::system::result<std::string, Diagnostics> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Diagnostics{FileProblem(path, "cannot open the file")};
  std::string text;
  text.resize(kMaxPolicyBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxPolicyBytes)
    return Diagnostics{FileProblem(path, "the file is larger than 1 MiB")};
  return text;
}

// Where the parent policy `name` lives: a file path, the builtin label, or empty.
std::string FindParent(const std::string& name, const std::string& search_dir) {
  for (const char* ext : {".yaml", ".yml"}) {
    const fs::path candidate = fs::path(search_dir.empty() ? "." : search_dir) / (name + ext);
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return name == "default" ? std::string(kBuiltinLabel) : std::string();
}

class ChainResolver {
 public:
  explicit ChainResolver(const std::string& search_dir) : search_dir_(search_dir) {}

  // The tree of `text` with all of its ancestors merged underneath it.
  TreeResult Resolve(std::string_view text, const std::string& label, const std::string& name) {
    auto parsed = ParseYamlText(text, label);
    if (!parsed) return parsed.error();
    SourceNode child = std::move(*parsed);
    chain_.push_back(name);
    Diagnostics diags;
    std::string parent_name = name == "default" ? "none" : "default";
    const SourceNode* extends = child.Find("extends");
    if (extends != nullptr) {
      if (!extends->IsScalar() || !(IsPolicyName(extends->scalar) || extends->scalar == "none")) {
        diags.push_back(MakeDiagnostic(extends->mark, "extends",
                                       "expected the name of a policy in the same directory "
                                       "(letters, digits, '-', '_', '.') or 'none'"));
        return diags;
      }
      parent_name = extends->scalar;
    }
    if (parent_name == "none") return child;
    const SourceMark at = extends != nullptr ? extends->mark : child.mark;
    if (std::find(chain_.begin(), chain_.end(), parent_name) != chain_.end() ||
        chain_.size() >= kMaxChain) {
      std::string cycle;
      for (const auto& n : chain_) cycle += n + " -> ";
      diags.push_back(MakeDiagnostic(at, "extends", "extends cycle: " + cycle + parent_name));
      return diags;
    }
    auto parent = LoadParent(parent_name, at);
    if (!parent) return parent.error();
    return MergeOnto(std::move(*parent), child);
  }

 private:
  TreeResult LoadParent(const std::string& parent_name, const SourceMark& at) {
    const std::string where = FindParent(parent_name, search_dir_);
    if (where.empty()) {
      const std::string dir = search_dir_.empty() ? "." : search_dir_;
      return Diagnostics{MakeDiagnostic(at, "extends",
                                        "parent policy '" + parent_name +
                                            "' not found (looked for " + dir + "/" + parent_name +
                                            ".yaml and " + dir + "/" + parent_name + ".yml)")};
    }
    if (where == kBuiltinLabel) return Resolve(BuiltinDefaultPolicyText(), where, parent_name);
    auto text = ReadFile(where);
    if (!text) return text.error();
    return Resolve(*text, where, parent_name);
  }

  static SourceNode MergeOnto(SourceNode parent, const SourceNode& child) {
    std::erase_if(parent.entries, [](const auto& kv) { return kv.key.scalar == "extends"; });
    return MergeNodes(parent, child);
  }

  std::string search_dir_;
  std::vector<std::string> chain_;
};

LoadResult Load(std::string_view text, const std::string& label, const std::string& name,
                const std::string& search_dir) {
  if (!IsPolicyName(name)) {
    return Diagnostics{FileProblem(
        label, "'" + name + "' is not a valid policy name (letters, digits, '-', '_', '.')")};
  }
  auto tree = ChainResolver(search_dir).Resolve(text, label, name);
  if (!tree) return tree.error();
  FinishMerge(*tree);
  Diagnostics diags;
  SchemaReader reader(diags);
  PolicySpec spec = DecodePolicy(*tree, reader);
  if (!diags.empty()) {
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    return diags;
  }
  spec.name = name;
  spec.source_file = label;
  if (const SourceNode* e = tree->Find("extends"); e != nullptr && e->IsScalar())
    spec.extends = e->scalar;
  else if (name != "default")
    spec.extends = "default";
  auto compiled = CompiledPolicy::Compile(std::move(spec));
  if (!compiled) return Diagnostics{FileProblem(label, compiled.error().Describe())};
  return *compiled;
}

}  // namespace

LoadResult LoadPolicyFile(const std::string& path, const std::string& search_dir) {
  auto text = ReadFile(path);
  if (!text) return text.error();
  return Load(*text, path, fs::path(path).stem().string(), search_dir);
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): the agreed API takes `name` by value
LoadResult LoadPolicyText(std::string_view yaml, std::string name, const std::string& search_dir) {
  return Load(yaml, name, name, search_dir);
}

}  // namespace hotplex::policies
