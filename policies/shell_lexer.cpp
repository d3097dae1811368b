#include "policies/shell_lexer.hpp"

#include <cctype>

namespace hotplex::policies {
namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsOperatorChar(char c) {
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

// The lexer's state over one input; tokens and nested bodies go to `out_`.
class Lexer {
 public:
  Lexer(std::string_view text, LexOutput& out) : text_(text), out_(out) {}

  void Run() {
    while (pos_ < text_.size()) Step();
    EndWord();
  }

 private:
  char Peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void EndWord() {
    if (!in_word_) return;
    out_.tokens.push_back({ShellToken::Kind::kWord, std::move(word_)});
    word_.clear();
    in_word_ = false;
    if (pending_heredoc_) {
      pending_heredoc_ = false;
      heredoc_delims_.push_back(
          {out_.tokens.back().text, heredoc_strip_tabs_, out_.tokens.size() - 1});
    }
  }

  void Emit(ShellToken::Kind kind, std::string text) {
    EndWord();
    out_.tokens.push_back({kind, std::move(text)});
  }

  void Step() {
    const char c = Peek();
    if (IsBlank(c)) {
      EndWord();
      ++pos_;
    } else if (c == '\n') {
      EndWord();
      ++pos_;
      Emit(ShellToken::Kind::kSeparator, "\n");
      ReadHeredocBodies();
    } else if (c == '#' && !in_word_) {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else if (IsOperatorChar(c)) {
      Operator();
    } else {
      WordChar();
    }
  }

  void WordChar() {
    const char c = Peek();
    if (c == '\\' && Peek(1) == '\n') {  // line continuation
      pos_ += 2;
      return;
    }
    in_word_ = true;
    if (c == '\'') return SingleQuoted();
    if (c == '"') return DoubleQuoted();
    if (c == '`') return Backtick();
    if (c == '$') return Dollar(false);
    if (c == '\\') {
      if (pos_ + 1 < text_.size()) word_ += Peek(1);
      pos_ += 2;
      return;
    }
    word_ += c;
    ++pos_;
  }

  void SingleQuoted() {
    const std::size_t end = text_.find('\'', pos_ + 1);
    if (end == std::string_view::npos) {
      out_.unterminated = true;
      word_.append(text_.substr(pos_ + 1));
      pos_ = text_.size();
      return;
    }
    word_.append(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
  }

  void DoubleQuoted() {
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = Peek();
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c == '\\') {
        const char n = Peek(1);
        if (n == '$' || n == '`' || n == '"' || n == '\\')
          word_ += n;
        else if (n != '\n')
          (word_ += '\\') += n;
        pos_ += 2;
      } else if (c == '`') {
        Backtick();
      } else if (c == '$') {
        Dollar(true);
      } else {
        word_ += c;
        ++pos_;
      }
    }
    out_.unterminated = true;
  }

  // Returns the index just past the `close` matching the opener before `from`,
  // skipping quoted text; npos if unbalanced.
  std::size_t FindClose(std::size_t from, char open, char close) const {
    int depth = 1;
    for (std::size_t i = from; i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '\\') {
        ++i;
      } else if (c == '\'') {
        const std::size_t end = text_.find('\'', i + 1);
        if (end == std::string_view::npos) return std::string_view::npos;
        i = end;
      } else if (c == open) {
        ++depth;
      } else if (c == close && --depth == 0) {
        return i + 1;
      }
    }
    return std::string_view::npos;
  }

  // `(` at pos_ - 1 opened a substitution; records its body and keeps it in the word.
  void Substitution(std::size_t body_start, bool parse_body) {
    const std::size_t end = FindClose(body_start, '(', ')');
    const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
    if (end == std::string_view::npos) out_.unterminated = true;
    const std::size_t body_end = end == std::string_view::npos ? text_.size() : end - 1;
    if (parse_body) out_.nested.emplace_back(text_.substr(body_start, body_end - body_start));
    word_.append(text_.substr(pos_, stop - pos_));
    pos_ = stop;
  }

  void Backtick() {
    std::string body;
    std::size_t i = pos_ + 1;
    for (; i < text_.size() && text_[i] != '`'; ++i) {
      if (text_[i] == '\\' && i + 1 < text_.size()) ++i;
      body += text_[i];
    }
    if (i >= text_.size()) out_.unterminated = true;
    word_ += "$(" + body + ")";
    out_.nested.push_back(std::move(body));
    pos_ = i + 1;
  }

  void Dollar(bool quoted) {
    const char n = Peek(1);
    if (n == '(') {
      const bool arithmetic = Peek(2) == '(';
      return Substitution(pos_ + 2, !arithmetic);
    }
    if (n == '\'' && !quoted) return AnsiC();
    if (n == '"' && !quoted) {  // $"..." is a translated string: just a string
      ++pos_;
      return;
    }
    if (n == '{') return Braced(quoted);
    if (n == '@' || n == '*' || (n >= '1' && n <= '9')) {
      pos_ += 2;  // empty in an agent's shell: r$@m is rm
      return;
    }
    if (n == '0') {
      word_ += "sh";
      pos_ += 2;
      return;
    }
    std::size_t end = pos_ + 1;
    while (end < text_.size() && IsNameChar(text_[end])) ++end;
    const std::string_view name = text_.substr(pos_ + 1, end - pos_ - 1);
    if (name == "IFS") {
      pos_ = end;
      if (quoted)
        word_ += ' ';
      else
        EndWord();
      return;
    }
    word_.append(text_.substr(pos_, end - pos_));
    pos_ = end;
  }

  void Braced(bool quoted) {
    const std::size_t close = text_.find('}', pos_ + 2);
    if (close == std::string_view::npos) {
      out_.unterminated = true;
      word_.append(text_.substr(pos_));
      pos_ = text_.size();
      return;
    }
    const std::string_view inner = text_.substr(pos_ + 2, close - pos_ - 2);
    pos_ = close + 1;
    std::size_t name_len = 0;
    while (name_len < inner.size() && IsNameChar(inner[name_len])) ++name_len;
    const std::string_view name = inner.substr(0, name_len);
    if (name == "IFS") {
      if (quoted)
        word_ += ' ';
      else
        EndWord();
    } else if (name_len == inner.size() && !name.empty() &&
               !std::isdigit(static_cast<unsigned char>(name[0]))) {
      (word_ += '$').append(name);
    } else if (inner == "@" || inner == "*" ||
               (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0])))) {
      // positional parameters are empty
    } else {
      word_.append("${").append(inner).append("}");
    }
  }

  void AnsiC() {
    std::size_t i = pos_ + 2;
    for (; i < text_.size() && text_[i] != '\''; ++i) {
      if (text_[i] != '\\' || i + 1 >= text_.size()) {
        word_ += text_[i];
        continue;
      }
      i = AnsiEscape(i + 1);
    }
    if (i >= text_.size()) out_.unterminated = true;
    pos_ = i + 1;
  }

  // Decodes the escape whose letter is at `i`; returns the index of its last char.
  std::size_t AnsiEscape(std::size_t i) {
    const char e = text_[i];
    auto digits = [&](std::size_t from, std::size_t max, int base) {
      int value = 0;
      std::size_t k = from;
      for (; k < text_.size() && k < from + max; ++k) {
        const int d = std::isdigit(static_cast<unsigned char>(text_[k])) ? text_[k] - '0'
                      : std::isxdigit(static_cast<unsigned char>(text_[k]))
                          ? (std::tolower(text_[k]) - 'a' + 10)
                          : 99;
        if (d >= base) break;
        value = value * base + d;
      }
      word_ += static_cast<char>(value);
      return k - 1;
    };
    switch (e) {
      case 'n': word_ += '\n'; return i;
      case 't': word_ += '\t'; return i;
      case 'x': return digits(i + 1, 2, 16);
      case '0':
      case '1':
      case '2':
      case '3': return digits(i, 3, 8);
      default: word_ += e; return i;
    }
  }

  void Operator() {
    const char c = Peek();
    const char n = Peek(1);
    if (c == '<' || c == '>') return Redirect();
    if (c == '&' && n == '>') return Redirect();
    if (c == '(' && (n == ')') && in_word_) {
      EndWord();
      pos_ += 2;
      return Emit(ShellToken::Kind::kSeparator, "()");
    }
    if (c == '|') {
      pos_ += (n == '|' || n == '&') ? 2 : 1;
      return Emit(n == '|' ? ShellToken::Kind::kSeparator : ShellToken::Kind::kPipe,
                  n == '|' ? "||" : "|");
    }
    if ((c == '&' || c == ';') && n == c) {
      pos_ += 2;
      return Emit(ShellToken::Kind::kSeparator, std::string(2, c));
    }
    ++pos_;
    Emit(ShellToken::Kind::kSeparator, std::string(1, c));
  }

  void Redirect() {
    // A word of digits just before < or > is the fd being redirected.
    std::string op;
    if (in_word_ && !word_.empty() && word_.find_first_not_of("0123456789") == std::string::npos) {
      op = std::move(word_);
      word_.clear();
      in_word_ = false;
    }
    EndWord();
    const char c = Peek();
    if (c == '<' && (Peek(1) == '(')) {  // process substitution <(...)
      in_word_ = true;
      return Substitution(pos_ + 2, true);
    }
    if (c == '>' && Peek(1) == '(') {
      in_word_ = true;
      return Substitution(pos_ + 2, true);
    }
    static constexpr std::string_view kOps[] = {"<<<", "<<-", "&>>", "<<", ">>", ">&",
                                                "&>",  "<&",  "<>",  ">|", "<",  ">"};
    for (const auto candidate : kOps) {
      if (text_.substr(pos_, candidate.size()) == candidate) {
        op += candidate;
        pos_ += candidate.size();
        break;
      }
    }
    const bool heredoc = (op.ends_with("<<") && !op.ends_with("<<<")) || op.ends_with("<<-");
    out_.tokens.push_back({ShellToken::Kind::kRedirect, op});
    if (heredoc) {
      pending_heredoc_ = true;
      heredoc_strip_tabs_ = op.ends_with("<<-");
    }
  }

  // After a newline: each pending here-document's body follows, up to its
  // delimiter line. The body replaces the delimiter word.
  void ReadHeredocBodies() {
    for (const auto& h : heredoc_delims_) {
      std::string body;
      while (pos_ < text_.size()) {
        std::size_t eol = text_.find('\n', pos_);
        if (eol == std::string_view::npos) eol = text_.size();
        std::string_view line = text_.substr(pos_, eol - pos_);
        pos_ = eol + 1 > text_.size() ? text_.size() : eol + 1;
        if (h.strip_tabs) {
          while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        }
        if (line == h.delimiter) break;
        body.append(line).push_back('\n');
      }
      out_.tokens[h.token].text = std::move(body);
    }
    heredoc_delims_.clear();
  }

  struct Heredoc {
    std::string delimiter;
    bool strip_tabs;
    std::size_t token;
  };

  std::string_view text_;
  LexOutput& out_;
  std::size_t pos_ = 0;
  std::string word_;
  bool in_word_ = false;
  bool pending_heredoc_ = false;
  bool heredoc_strip_tabs_ = false;
  std::vector<Heredoc> heredoc_delims_;
};

}  // namespace

void LexShell(std::string_view text, LexOutput& out) {
  out.Clear();
  Lexer(text, out).Run();
}

}  // namespace hotplex::policies
