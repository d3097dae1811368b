#include "policies/schema_reader.hpp"

#include <algorithm>
#include <charconv>

#include "common/units.hpp"

namespace hotplex::policies {
namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string ChoiceList(const std::vector<std::string_view>& choices) {
  std::string out;
  for (const auto& c : choices) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

}  // namespace

std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string IndexPath(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

void SchemaReader::Error(const SourceNode& at, std::string_view path, std::string message) {
  out_.push_back(MakeDiagnostic(at.mark, std::string(path), std::move(message)));
}

bool SchemaReader::Map(const SourceNode& node, std::string_view path,
                       std::vector<std::string_view> known) {
  if (!node.IsMap()) {
    Error(node, path, std::string("expected a map, found ") + KindName(node.kind));
    return false;
  }
  for (const auto& [key, value] : node.entries) {
    if (std::find(known.begin(), known.end(), key.scalar) != known.end()) continue;
    std::string message = "unknown key " + Quoted(key.scalar);
    const std::string suggestion = DidYouMean(key.scalar, known);
    if (!suggestion.empty()) message += "; did you mean " + Quoted(suggestion) + "?";
    message += " (expected one of: " + ChoiceList(known) + ")";
    Error(key, JoinPath(path, key.scalar), std::move(message));
  }
  return true;
}

bool SchemaReader::List(const SourceNode& node, std::string_view path) {
  if (node.IsSequence()) return true;
  Error(node, path, std::string("expected a list, found ") + KindName(node.kind));
  return false;
}

std::optional<std::string> SchemaReader::String(const SourceNode& node, std::string_view path) {
  if (node.IsScalar()) return node.scalar;
  Error(node, path, std::string("expected a string, found ") + KindName(node.kind));
  return std::nullopt;
}

std::optional<bool> SchemaReader::Bool(const SourceNode& node, std::string_view path) {
  if (node.IsScalar()) {
    std::string v = node.scalar;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "true" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "no" || v == "off") return false;
  }
  Error(node, path,
        "expected a boolean (true or false), found " +
            (node.IsScalar() ? Quoted(node.scalar) : std::string(KindName(node.kind))));
  return std::nullopt;
}

std::optional<std::uint64_t> SchemaReader::Uint(const SourceNode& node, std::string_view path,
                                                std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  if (node.IsScalar()) {
    const char* begin = node.scalar.data();
    const char* end = begin + node.scalar.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec == std::errc() && ptr == end && value >= min && value <= max) return value;
  }
  Error(node, path,
        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
            ", found " +
            (node.IsScalar() ? Quoted(node.scalar) : std::string(KindName(node.kind))));
  return std::nullopt;
}

std::optional<std::uint64_t> SchemaReader::Size(const SourceNode& node, std::string_view path) {
  if (!node.IsScalar()) {
    Error(node, path,
          std::string("expected a size such as 512M or 1GiB, found ") + KindName(node.kind));
    return std::nullopt;
  }
  auto parsed = ParseByteSize(node.scalar);
  if (parsed) return *parsed;
  Error(node, path, parsed.error().message);  // units.hpp names the value and what was expected
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> SchemaReader::Duration(const SourceNode& node,
                                                                std::string_view path) {
  if (!node.IsScalar()) {
    Error(node, path,
          std::string("expected a duration such as 30s or 5m, found ") + KindName(node.kind));
    return std::nullopt;
  }
  auto parsed = ParseDuration(node.scalar);
  if (parsed) return *parsed;
  Error(node, path, parsed.error().message);  // units.hpp names the value and what was expected
  return std::nullopt;
}

std::optional<double> SchemaReader::Cores(const SourceNode& node, std::string_view path) {
  if (node.IsScalar() && node.scalar == "0") return 0.0;
  if (!node.IsScalar()) {
    Error(node, path,
          std::string("expected a number of CPU cores such as 1.5, found ") + KindName(node.kind));
    return std::nullopt;
  }
  auto parsed = ParseCpuCores(node.scalar);
  if (parsed) return *parsed;
  Error(node, path, parsed.error().message);  // units.hpp names the value and what was expected
  return std::nullopt;
}

std::optional<std::vector<std::string>> SchemaReader::StringList(const SourceNode& node,
                                                                 std::string_view path) {
  if (!List(node, path)) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    auto s = String(node.items[i], IndexPath(path, i));
    if (s)
      out.push_back(std::move(*s));
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> SchemaReader::Choice(const SourceNode& node, std::string_view path,
                                                const std::vector<std::string_view>& choices) {
  auto s = String(node, path);
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  std::string message = "invalid value " + Quoted(*s);
  const std::string suggestion = DidYouMean(*s, choices);
  if (!suggestion.empty()) message += "; did you mean " + Quoted(suggestion) + "?";
  message += " (expected one of: " + ChoiceList(choices) + ")";
  Error(node, path, std::move(message));
  return std::nullopt;
}

}  // namespace hotplex::policies
