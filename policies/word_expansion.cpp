#include "policies/word_expansion.hpp"

#include <algorithm>
#include <cctype>

#include "policies/shell_lexer.hpp"

namespace hotplex::policies {
namespace {

constexpr std::size_t kMaxBraceWords = 32;
// Bounds on what ShellVariables keeps, so `a=$a$a` repeated cannot blow up.
constexpr std::size_t kMaxVariables = 64;
constexpr std::size_t kMaxValueBytes = 4096;

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Position of the first `{` that opens a brace-expansion group, or npos.
std::size_t FindBraceGroup(const std::string& w, std::size_t& close) {
  for (std::size_t open = w.find('{'); open != std::string::npos; open = w.find('{', open + 1)) {
    if (open > 0 && w[open - 1] == '$') continue;  // ${...}
    int depth = 0;
    bool comma = false;
    for (std::size_t i = open; i < w.size(); ++i) {
      if (w[i] == '{')
        ++depth;
      else if (w[i] == '}' && --depth == 0) {
        if (!comma) break;
        close = i;
        return open;
      } else if (w[i] == ',' && depth == 1) {
        comma = true;
      }
    }
  }
  return std::string::npos;
}

void ExpandWord(const std::string& w, std::vector<std::string>& out, std::size_t budget) {
  std::size_t close = 0;
  const std::size_t open = FindBraceGroup(w, close);
  if (open == std::string::npos || out.size() >= budget) {
    out.push_back(w);
    return;
  }
  const std::string prefix = w.substr(0, open);
  const std::string suffix = w.substr(close + 1);
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (w[i] == '{') ++depth;
    if (w[i] == '}' && depth > 0 && i != close) --depth;
    if ((w[i] == ',' && depth == 0) || i == close) {
      if (out.size() >= budget) return;
      std::string alternative = prefix;
      alternative.append(w, start, i - start).append(suffix);
      ExpandWord(alternative, out, budget);
      start = i + 1;
    }
  }
}

}  // namespace

bool IsAssignmentWord(std::string_view w) {
  const auto eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos || std::isdigit(static_cast<unsigned char>(w[0])))
    return false;
  return std::all_of(w.begin(), w.begin() + static_cast<long>(eq),
                     [](char c) { return IsNameChar(c) || c == '+'; });
}

bool ShellVariables::Record(const std::vector<std::string>& words) {
  std::size_t first = 0;
  static constexpr std::string_view kDeclarers[] = {"export", "declare", "local", "readonly",
                                                    "typeset"};
  if (!words.empty() &&
      std::find(std::begin(kDeclarers), std::end(kDeclarers), words[0]) != std::end(kDeclarers)) {
    first = 1;
    while (first < words.size() && words[first].size() > 1 && words[first][0] == '-') ++first;
  }
  if (first >= words.size()) return false;
  for (std::size_t i = first; i < words.size(); ++i) {
    if (!IsAssignmentWord(words[i])) return false;
  }
  for (std::size_t i = first; i < words.size(); ++i) {
    const auto eq = words[i].find('=');
    std::string name = words[i].substr(0, eq);
    std::string value = words[i].substr(eq + 1);
    if (!name.empty() && name.back() == '+') continue;  // a+=x: leave it unknown
    std::erase_if(vars_, [&](const auto& kv) { return kv.first == name; });
    if (value.size() > kMaxValueBytes || vars_.size() >= kMaxVariables)
      continue;  // unknown from here on
    vars_.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

void ShellVariables::Expand(std::vector<std::string>& words) const {
  for (auto& w : words) {
    std::size_t pos = w.find('$');
    while (pos != std::string::npos) {
      std::size_t end = pos + 1;
      while (end < w.size() && IsNameChar(w[end])) ++end;
      const std::string_view name(w.data() + pos + 1, end - pos - 1);
      const auto it = std::find_if(vars_.begin(), vars_.end(),
                                   [&](const auto& kv) { return kv.first == name; });
      if (it == vars_.end() || name.empty()) {
        pos = w.find('$', pos + 1);
        continue;
      }
      w.replace(pos, end - pos, it->second);
      pos = w.find('$', pos + it->second.size());
    }
  }
}

void ExpandBraces(std::vector<std::string>& words) {
  if (std::none_of(words.begin(), words.end(),
                   [](const std::string& w) { return w.find('{') != std::string::npos; })) {
    return;
  }
  std::vector<std::string> out;
  for (const auto& w : words) ExpandWord(w, out, out.size() + kMaxBraceWords);
  words.swap(out);
}

std::vector<std::string> EchoedProgram(std::string_view word) {
  if (word.size() < 4 || !word.starts_with("$(") || word.back() != ')') return {};
  LexOutput lex;
  LexShell(word.substr(2, word.size() - 3), lex);
  if (lex.tokens.size() < 2) return {};
  if (std::any_of(lex.tokens.begin(), lex.tokens.end(),
                  [](const ShellToken& t) { return t.kind != ShellToken::Kind::kWord; })) {
    return {};
  }
  if (lex.tokens[0].text != "echo" && lex.tokens[0].text != "printf") return {};
  std::vector<std::string> out;
  for (std::size_t i = 1; i < lex.tokens.size(); ++i) {
    if (out.empty() && lex.tokens[i].text.size() > 1 && lex.tokens[i].text[0] == '-') continue;
    out.push_back(std::move(lex.tokens[i].text));
  }
  return out;
}

}  // namespace hotplex::policies
