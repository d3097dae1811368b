#include "tests/fake_agent/directives.hpp"

#include <map>
#include <sstream>

namespace hotplex::fake_agent {
namespace {

constexpr std::string_view kPrefix = "fake:";

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

// Lines of a body, also split on " ;; " so a one-line prompt can hold several directives.
std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> lines;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t pos;
    while ((pos = line.find(" ;; ")) != std::string::npos) {
      lines.push_back(Trim(line.substr(0, pos)));
      line = line.substr(pos + 4);
    }
    lines.push_back(Trim(line));
  }
  return lines;
}

const std::map<std::string, Verb, std::less<>>& Verbs() {
  static const std::map<std::string, Verb, std::less<>> verbs = {
      {"text", Verb::kText},       {"thinking", Verb::kThinking},
      {"tool", Verb::kTool},       {"slow", Verb::kSlow},
      {"echo", Verb::kEcho},       {"huge", Verb::kHuge},
      {"sleep", Verb::kSleep},     {"stderr", Verb::kStderr},
      {"history", Verb::kHistory}, {"error", Verb::kError},
      {"crash", Verb::kCrash},     {"abort", Verb::kAbort},
      {"hang", Verb::kHang},       {"hang-ignore-term", Verb::kHangIgnoreTerm}};
  return verbs;
}

std::int64_t Number(std::istringstream& in, std::int64_t fallback, bool required) {
  std::int64_t value;
  if (in >> value) return value;
  if (required) throw std::invalid_argument("expected a number");
  return fallback;
}

Directive ParseLine(const std::string& line) {
  std::istringstream in(line);
  std::string verb_word;
  in >> verb_word;
  const auto it = Verbs().find(verb_word);
  if (it == Verbs().end()) throw std::invalid_argument("unknown directive '" + verb_word + "'");
  Directive d;
  d.verb = it->second;
  std::string rest;
  std::getline(in >> std::ws, rest);
  std::istringstream args(rest);
  switch (d.verb) {
    case Verb::kText:
    case Verb::kThinking:
    case Verb::kStderr:
    case Verb::kError: d.text = rest; break;
    case Verb::kTool: {
      args >> d.text;
      std::string json_text;
      std::getline(args >> std::ws, json_text);
      d.input = json_text.empty() ? nlohmann::json::object() : nlohmann::json::parse(json_text);
      if (d.text.empty() || !d.input.is_object()) throw std::invalid_argument("tool <Name> <json>");
      break;
    }
    case Verb::kSlow:
      d.count = Number(args, 0, true);
      d.interval = Number(args, 0, true);
      break;
    case Verb::kEcho:
      d.count = Number(args, 0, true);
      d.interval = Number(args, 0, false);
      break;
    case Verb::kHuge: d.count = Number(args, 0, true); break;
    case Verb::kSleep: d.interval = Number(args, 0, true); break;
    case Verb::kCrash: d.count = Number(args, 1, false); break;
    default: break;
  }
  return d;
}

}  // namespace

Result<std::vector<Directive>> ParseDirectives(const std::string& body) {
  std::vector<Directive> directives;
  int number = 0;
  for (const std::string& line : Lines(body)) {
    ++number;
    if (line.empty()) continue;
    try {
      directives.push_back(ParseLine(line));
    } catch (const std::exception& e) {
      return MakeError("fake-agent script line " + std::to_string(number) + " '" + line +
                       "': " + e.what());
    }
  }
  return directives;
}

Result<std::vector<Directive>> DirectivesForPrompt(const std::string& prompt,
                                                   const std::string& scripted_turn) {
  const std::string trimmed = Trim(prompt);
  if (trimmed.compare(0, kPrefix.size(), kPrefix) == 0) {
    return ParseDirectives(trimmed.substr(kPrefix.size()));
  }
  if (!scripted_turn.empty()) return ParseDirectives(scripted_turn);
  Directive echo;
  echo.verb = Verb::kText;
  echo.text = "echo: " + prompt;
  return std::vector<Directive>{echo};
}

std::vector<std::string> SplitScriptTurns(const std::string& file_text) {
  std::vector<std::string> turns(1);
  std::istringstream in(file_text);
  std::string line;
  while (std::getline(in, line)) {
    if (Trim(line) == "---") {
      turns.emplace_back();
    } else {
      turns.back() += line + "\n";
    }
  }
  if (Trim(turns.back()).empty()) turns.pop_back();
  return turns;
}

}  // namespace hotplex::fake_agent
