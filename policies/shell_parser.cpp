#include "policies/shell_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "policies/command_normalizer.hpp"
#include "policies/interpreter_payload.hpp"

namespace hotplex::policies {
namespace {

// Position of the first byte no shell command may contain, or npos.
std::size_t FindControlChar(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) return i;
  }
  return std::string_view::npos;
}

// Blanks markdown fence lines (``` or ~~~, with an info string) but keeps
// what they enclose.
std::string StripFenceLines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    const std::size_t first = line.find_first_not_of(" \t");
    const std::string_view trimmed =
        first == std::string_view::npos ? std::string_view{} : line.substr(first);
    if (!trimmed.starts_with("```") && !trimmed.starts_with("~~~")) out.append(line);
    if (eol < text.size()) out += '\n';
    pos = eol + 1;
  }
  return out;
}

void AppendWords(const std::vector<std::string>& words, std::string& line) {
  std::size_t size = line.size();
  for (const auto& w : words) size += w.size() + 1;
  line.reserve(size);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) line += ' ';
    line += words[i];
  }
}

bool IsPrintableText(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c >= 0x20 || c == '\n' || c == '\t' || c == '\r';
  });
}

bool IsBase64Decode(const std::vector<std::string>& w) {
  if (w.empty()) return false;
  if (w[0] == "base64") return std::find(w.begin(), w.end(), "-d") != w.end();
  if (w[0] == "openssl") {
    return std::find(w.begin(), w.end(), "-d") != w.end() &&
           (std::find(w.begin(), w.end(), "base64") != w.end() ||
            std::find(w.begin(), w.end(), "-base64") != w.end());
  }
  return false;
}

// The literal an echo/printf stage prints, or empty.
std::string PrintedLiteral(const std::vector<std::string>& w) {
  if (w.empty() || (w[0] != "echo" && w[0] != "printf")) return {};
  std::string out;
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i].size() > 1 && w[i][0] == '-' && out.empty()) continue;
    if (w[i].find_first_of("<>") != std::string::npos) break;
    out += w[i];
  }
  return out;
}

}  // namespace

void ParsedScript::Clear() {
  command_count = 0;
  pipeline_count = 0;
  script.clear();
  raw.clear();
  rejection.clear();
}

std::string& ParsedScript::AddPipeline() {
  if (pipeline_count == pipelines.size()) pipelines.emplace_back();
  std::string& p = pipelines[pipeline_count++];
  p.clear();
  return p;
}

ParsedCommand& ParsedScript::AddCommand() {
  if (command_count == commands.size()) commands.emplace_back();
  ParsedCommand& c = commands[command_count++];
  c.program.clear();
  c.line.clear();
  return c;
}

std::string DecodeBase64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=' || std::isspace(c))
      continue;
    else
      return {};
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

ShellParser::Level& ShellParser::LevelAt(int depth) {
  if (levels_.size() <= static_cast<std::size_t>(depth))
    levels_.resize(static_cast<std::size_t>(depth) + 1);
  return levels_[static_cast<std::size_t>(depth)];
}

void ShellParser::Parse(std::string_view text, ParsedScript& out) {
  out.Clear();
  variables_.Clear();
  if (text.size() > kMaxInputBytes) {
    out.rejection = "the command is longer than " + std::to_string(kMaxInputBytes) + " bytes";
    return;
  }
  if (const std::size_t bad = FindControlChar(text); bad != std::string_view::npos) {
    char buf[96];
    (void)std::snprintf(buf, sizeof buf,
                        "the command contains control character 0x%02x at byte %zu",
                        static_cast<unsigned>(static_cast<unsigned char>(text[bad])), bad);
    out.rejection = buf;
    return;
  }
  out.raw.resize(text.size());
  std::size_t n = 0;
  for (const char c : text) {
    out.raw[n] = c;
    n += (c != ' ' && c != '\t' && c != '\n' && c != '\r') ? 1 : 0;
  }
  out.raw.resize(n);
  if (text.find("```") != std::string_view::npos || text.find("~~~") != std::string_view::npos) {
    const std::string stripped = StripFenceLines(text);
    ParseText(stripped, 0, out);
  } else {
    ParseText(text, 0, out);
  }
}

void ShellParser::ParseText(std::string_view text, int depth, ParsedScript& out) {
  if (depth > kMaxDepth) {
    out.rejection = "the command nests shells or substitutions more than " +
                    std::to_string(kMaxDepth) + " levels deep";
    return;
  }
  Level& level = LevelAt(depth);
  LexShell(text, level.lex);
  level.segment_count = 0;
  level.words.clear();
  auto finish_command = [&] {
    if (level.words.empty()) return;
    AddSimple(level.words, depth, out);
    if (level.segment_count == level.segments.size()) level.segments.emplace_back();
    level.segments[level.segment_count++].swap(level.words);  // keeps both buffers for reuse
    level.words.clear();
  };
  for (ShellToken& t : level.lex.tokens) {
    if (t.kind == ShellToken::Kind::kWord || t.kind == ShellToken::Kind::kRedirect) {
      level.words.push_back(std::move(t.text));
    } else if (t.kind == ShellToken::Kind::kPipe) {
      finish_command();
    } else {
      finish_command();
      FinishPipeline(level, depth, out);
    }
  }
  finish_command();
  FinishPipeline(level, depth, out);
  // Nested bodies are parsed one level deeper, with that level's buffers.
  const std::vector<std::string> nested = std::move(level.lex.nested);
  for (const auto& body : nested) ParseText(body, depth + 1, out);
}

void ShellParser::Expand(std::vector<std::string>& words) {
  if (!variables_.Empty()) variables_.Expand(words);
  ExpandBraces(words);
  const auto program = std::find_if(words.begin(), words.end(),
                                    [](const std::string& w) { return !IsAssignmentWord(w); });
  if (program == words.end() || !program->starts_with("$(")) return;
  std::vector<std::string> echoed = EchoedProgram(*program);
  if (echoed.empty()) return;
  const auto at = words.erase(program);
  words.insert(at, std::make_move_iterator(echoed.begin()), std::make_move_iterator(echoed.end()));
}

void ShellParser::AddSimple(std::vector<std::string>& words, int depth, ParsedScript& out) {
  Expand(words);  // before recording, so b=$a records a's value
  if (variables_.Record(words)) {
    words.clear();
    return;
  }
  for (int hops = 0; hops < 8; ++hops) {
    NormalizeCommand(words);
    if (words.empty()) return;
    ParsedCommand& c = out.AddCommand();
    c.program = words[0];
    AppendWords(words, c.line);
    if (!out.script.empty()) out.script += " ; ";
    out.script += c.line;
    if (const std::string_view code = InterpreterCode(words); !code.empty()) {
      const std::string hidden = ShellTextInCode(code);
      if (!hidden.empty()) ParseText(hidden, depth + 1, out);
      return;
    }
    Unwrapped inner = Unwrap(words);
    if (inner.kind == Unwrapped::Kind::kScript) {
      ParseText(inner.script, depth + 1, out);
      return;
    }
    if (inner.kind != Unwrapped::Kind::kCommand) return;
    words.erase(words.begin() + static_cast<long>(inner.last), words.end());
    words.erase(words.begin(), words.begin() + static_cast<long>(inner.first));
  }
}

void ShellParser::FinishPipeline(Level& level, int depth, ParsedScript& out) {
  if (level.segment_count >= 2) {
    std::string& line = out.AddPipeline();
    for (std::size_t i = 0; i < level.segment_count; ++i) {
      if (i > 0) line += " | ";
      AppendWords(level.segments[i], line);
    }
  }
  DecodeBase64Payloads(level, depth, out);
  level.segment_count = 0;
}

void ShellParser::DecodeBase64Payloads(const Level& level, int depth, ParsedScript& out) {
  for (std::size_t i = 0; i < level.segment_count; ++i) {
    const auto& w = level.segments[i];
    if (!IsBase64Decode(w)) continue;
    std::string payload;
    for (std::size_t k = 1; k + 1 < w.size(); ++k) {
      if (w[k] == "<<<" || w[k] == "<<" || w[k] == "<<-") payload = w[k + 1];
    }
    if (payload.empty() && i > 0) payload = PrintedLiteral(level.segments[i - 1]);
    const std::string decoded = DecodeBase64(payload);
    if (IsPrintableText(decoded)) ParseText(decoded, depth + 1, out);
  }
}

}  // namespace hotplex::policies
