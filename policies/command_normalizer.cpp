#include "policies/command_normalizer.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace hotplex::policies {
namespace {

using Words = std::vector<std::string>;

template <std::size_t N>
bool OneOf(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

constexpr std::array<std::string_view, 16> kKeywords = {
    "!",     "{",     "}",    "then", "do",   "else", "elif",     "if",
    "while", "until", "time", "fi",   "done", "esac", "function", "coproc"};

// Programs whose clustered short flags are split; others (find, dd, gcc,
// java, perl -MIO::Socket, ...) use single-dash long options or glued values.
constexpr std::array<std::string_view, 40> kClusterPrograms = {
    "rm",      "cp",      "mv",      "ln",     "chmod", "chown",    "chgrp",   "shred",
    "git",     "nc",      "ncat",    "netcat", "curl",  "wget",     "crontab", "sysctl",
    "base64",  "useradd", "usermod", "sudo",   "su",    "bash",     "sh",      "zsh",
    "dash",    "ksh",     "ash",     "ssh",    "sed",   "truncate", "kill",    "pkill",
    "killall", "docker",  "rsync",   "tee",    "socat", "setcap",   "wipefs",  "mkfs"};

struct LongAlias {
  std::string_view program, flag, short_flag;
};
constexpr std::array<LongAlias, 33> kAliases = {{
    {"rm", "--recursive", "-r"},
    {"rm", "-R", "-r"},
    {"rm", "--force", "-f"},
    {"rm", "--dir", "-d"},
    {"cp", "--recursive", "-r"},
    {"cp", "-R", "-r"},
    {"cp", "--force", "-f"},
    {"mv", "--force", "-f"},
    {"chmod", "--recursive", "-R"},
    {"chown", "--recursive", "-R"},
    {"chgrp", "--recursive", "-R"},
    {"shred", "--remove", "-u"},
    {"shred", "--zero", "-z"},
    {"shred", "--force", "-f"},
    {"nc", "--exec", "-e"},
    {"nc", "--sh-exec", "-c"},
    {"ncat", "--exec", "-e"},
    {"ncat", "--sh-exec", "-c"},
    {"netcat", "--exec", "-e"},
    {"curl", "--output", "-o"},
    {"curl", "--data", "-d"},
    {"curl", "--upload-file", "-T"},
    {"curl", "--form", "-F"},
    {"curl", "--data-binary", "-d"},
    {"wget", "--output-document", "-O"},
    {"sysctl", "--write", "-w"},
    {"base64", "--decode", "-d"},
    {"base64", "-D", "-d"},
    {"truncate", "--size", "-s"},
    {"git", "--force", "--force"},
    {"crontab", "--remove", "-r"},
    {"tee", "--append", "-a"},
    {"sed", "--in-place", "-i"},
}};

// Wrappers run their first operand as a command: option processing stops there
// so the inner command keeps its own flags for its own normalisation.
constexpr std::array<std::string_view, 30> kWrapperPrograms = {
    "sudo",   "doas",   "env",     "nohup",       "nice",     "ionice",  "timeout",  "stdbuf",
    "setsid", "chroot", "xargs",   "command",     "builtin",  "exec",    "unbuffer", "strace",
    "ltrace", "flock",  "busybox", "watch",       "ssh",      "chrt",    "taskset",  "runuser",
    "pkexec", "su",     "time",    "proxychains", "torsocks", "firejail"};

bool IsAssignment(std::string_view w) {
  const auto eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  return std::all_of(w.begin(), w.begin() + static_cast<long>(eq),
                     [](unsigned char c) {
                       return std::isalnum(c) || c == '_' || c == '[' || c == ']' || c == '+';
                     }) &&
         !std::isdigit(static_cast<unsigned char>(w[0]));
}

bool IsRedirect(std::string_view w) {
  return !w.empty() && (w.find_first_of("<>") != std::string_view::npos) &&
         w.find_first_not_of("0123456789<>&|-") == std::string_view::npos;
}

void DropPrefix(Words& words) {
  std::size_t skip = 0;
  while (skip < words.size() && (OneOf(words[skip], kKeywords) || IsAssignment(words[skip])))
    ++skip;
  words.erase(words.begin(), words.begin() + static_cast<long>(skip));
}

std::string_view BaseName(std::string_view w) {
  if (w.size() > 1 && w.back() != '/') {
    const auto slash = w.rfind('/');
    if (slash != std::string_view::npos) return w.substr(slash + 1);
  }
  return w;
}

void AppendFlag(const std::string& program, std::string_view flag, Words& out) {
  for (const auto& a : kAliases) {
    if (a.program != program) continue;
    if (a.flag == flag) return out.emplace_back(a.short_flag), void();
    if (flag.size() > a.flag.size() && flag.substr(0, a.flag.size()) == a.flag &&
        flag[a.flag.size()] == '=') {
      out.emplace_back(a.short_flag);
      out.emplace_back(flag.substr(a.flag.size() + 1));
      return;
    }
  }
  const bool cluster =
      flag.size() > 2 && flag[0] == '-' && flag[1] != '-' &&
      std::all_of(flag.begin() + 1, flag.end(), [](unsigned char c) { return std::isalpha(c); });
  if (!cluster || !OneOf(program, kClusterPrograms)) return out.emplace_back(flag), void();
  for (std::size_t i = 1; i < flag.size(); ++i) AppendFlag(program, std::string{'-', flag[i]}, out);
}

}  // namespace

bool IsShellProgram(std::string_view program) {
  static constexpr std::array<std::string_view, 10> kShells = {
      "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish", "rbash", "yash"};
  return OneOf(program, kShells);
}

std::string NormalizePathWord(std::string_view word) {
  std::string prefix;
  if (word.starts_with("$HOME"))
    prefix = "$HOME", word.remove_prefix(5);
  else if (word.starts_with("~"))
    prefix = "~", word.remove_prefix(1);
  else if (!word.starts_with("/"))
    return std::string(word);
  if (!prefix.empty() && !word.empty() && word[0] != '/') return prefix + std::string(word);
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < word.size()) {
    const std::size_t next = std::min(word.find('/', i), word.size());
    const std::string_view part = word.substr(i, next - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = next + 1;
  }
  std::string out = prefix;
  for (const auto& p : parts) (out += '/') += p;
  if (out.empty()) out = "/";
  return out;
}

void NormalizeCommand(Words& words) {
  DropPrefix(words);
  if (words.empty()) return;
  std::string program(BaseName(words[0]));
  thread_local Words out;  // reused: its buffer is swapped back in on the next call
  out.clear();
  out.reserve(words.size() + 4);
  out.push_back(program);
  bool options_done = false;
  const bool wrapper = OneOf(program, kWrapperPrograms);
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string& w = words[i];
    if (wrapper && !options_done && !w.empty() && w[0] != '-' && !IsAssignment(w))
      options_done = true;
    if (w == "--" && !options_done) {
      options_done = true;
      // Dropped where flags are normalised (rm -rf -- / is rm -r -f /); kept
      // elsewhere because some programs use it to start a command (kubectl exec).
      if (OneOf(program, kClusterPrograms)) continue;
    }
    if (!options_done && w.size() > 1 && w[0] == '-')
      AppendFlag(program, w, out);
    else if (!w.empty() && (w[0] == '/' || w[0] == '~' || w.starts_with("$HOME")))
      out.push_back(NormalizePathWord(w));
    else
      out.push_back(std::move(w));
  }
  words.swap(out);
}

namespace {

// Index of the first word at or after `i` that is not an option; options in
// `with_arg` take the following word as their value.
std::size_t SkipOptions(const Words& w, std::size_t i,
                        std::initializer_list<std::string_view> with_arg) {
  while (i < w.size() && w[i].size() > 1 && w[i][0] == '-') {
    if (w[i] == "--") return i + 1;
    const bool takes_arg = std::find(with_arg.begin(), with_arg.end(), w[i]) != with_arg.end();
    i += takes_arg ? 2 : 1;
  }
  return i;
}

std::string Join(const Words& w, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < w.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += w[i];
  }
  return out;
}

Unwrapped Command(const Words& w, std::size_t first) {
  Unwrapped u;
  if (first >= w.size()) return u;
  u.kind = Unwrapped::Kind::kCommand;
  u.first = first;
  u.last = w.size();
  return u;
}

Unwrapped Script(std::string text) {
  Unwrapped u;
  u.kind = Unwrapped::Kind::kScript;
  u.script = std::move(text);
  return u;
}

// The value of a `-c`-style option, or npos.
std::size_t FindOptionValue(const Words& w, std::string_view option) {
  for (std::size_t i = 1; i + 1 < w.size(); ++i) {
    if (w[i] == option) return i + 1;
  }
  return std::string::npos;
}

Unwrapped UnwrapShell(const Words& w) {
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i] == "-c" || w[i] == "--command") {
      std::size_t body = i + 1;
      while (body < w.size() && w[body].size() > 1 && w[body][0] == '-' && w[body] != "--") ++body;
      if (body < w.size() && w[body] == "--") ++body;
      return body < w.size() ? Script(w[body]) : Unwrapped{};
    }
    if (w[i][0] != '-' && !IsRedirect(w[i])) break;  // a script file: not inline
  }
  for (std::size_t i = 1; i + 1 < w.size(); ++i) {
    if (w[i].ends_with("<<<") || w[i].ends_with("<<") || w[i].ends_with("<<-"))
      return Script(w[i + 1]);
  }
  return {};
}

Unwrapped UnwrapFind(const Words& w) {
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i] != "-exec" && w[i] != "-execdir" && w[i] != "-ok" && w[i] != "-okdir") continue;
    std::size_t end = i + 1;
    while (end < w.size() && w[end] != ";" && w[end] != "+") ++end;
    Unwrapped u = Command(w, i + 1);
    u.last = end;
    return u.first < u.last ? u : Unwrapped{};
  }
  return {};
}

Unwrapped UnwrapSsh(const Words& w) {
  const std::size_t host =
      SkipOptions(w, 1, {"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l",
                         "-m", "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w", "-B"});
  if (host + 1 >= w.size()) return {};
  return Script(Join(w, host + 1, w.size()));
}

Unwrapped UnwrapEnv(const Words& w) {
  std::size_t i = 1;
  while (i < w.size()) {
    if (w[i] == "-S" && i + 1 < w.size()) return Script(Join(w, i + 1, w.size()));
    if (w[i] == "-u" || w[i] == "-C")
      i += 2;
    else if ((w[i].size() > 1 && w[i][0] == '-') || IsAssignment(w[i]))
      ++i;
    else
      break;
  }
  return Command(w, i);
}

Unwrapped UnwrapContainerExec(const Words& w) {
  if (w.size() < 3) return {};
  if (w[0] == "kubectl" || w[0] == "oc") {  // kubectl exec [options] POD -- CMD...
    const auto dashes = std::find(w.begin(), w.end(), "--");
    if (w[1] != "exec" || dashes == w.end()) return {};
    return Command(w, static_cast<std::size_t>(dashes - w.begin()) + 1);
  }
  // docker exec [options] CONTAINER CMD...; docker compose exec [options] SERVICE CMD...
  const std::size_t exec = w[1] == "exec" ? 1 : (w[1] == "compose" && w[2] == "exec" ? 2 : 0);
  if (exec == 0) return {};
  return Command(
      w, SkipOptions(w, exec + 1,
                     {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--index"}) +
             1);
}

}  // namespace

Unwrapped Unwrap(const Words& w) {
  if (w.empty()) return {};
  const std::string_view p = w[0];
  if (IsShellProgram(p)) return UnwrapShell(w);
  if (p == "eval") return Script(Join(w, 1, w.size()));
  if (p == "find") return UnwrapFind(w);
  if (p == "ssh") return UnwrapSsh(w);
  if (p == "env") return UnwrapEnv(w);
  if (p == "su" || p == "runuser") {
    const std::size_t c = FindOptionValue(w, "-c");
    if (c != std::string::npos) return Script(w[c]);
    return p == "runuser" ? Command(w, SkipOptions(w, 1, {"-u", "-g", "-G"})) : Unwrapped{};
  }
  if (p == "docker" || p == "podman" || p == "nerdctl" || p == "kubectl" || p == "oc")
    return UnwrapContainerExec(w);
  if (p == "watch") return Script(Join(w, SkipOptions(w, 1, {"-n", "--interval", "-d"}), w.size()));
  if (p == "flock") {
    const std::size_t c = FindOptionValue(w, "-c");
    if (c != std::string::npos) return Script(w[c]);
    return Command(w, SkipOptions(w, 1, {"-w", "-E", "--timeout"}) + 1);
  }
  if (p == "command" && (FindOptionValue(w, "-v") != std::string::npos ||
                         (w.size() > 1 && (w[1] == "-v" || w[1] == "-V"))))
    return {};
  if (p == "sudo")
    return Command(
        w, SkipOptions(w, 1, {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R"}));
  if (p == "doas") return Command(w, SkipOptions(w, 1, {"-u", "-C"}));
  if (p == "pkexec") return Command(w, SkipOptions(w, 1, {"--user"}));
  if (p == "timeout")
    return Command(w, SkipOptions(w, 1, {"-s", "-k", "--signal", "--kill-after"}) + 1);
  if (p == "nice") return Command(w, SkipOptions(w, 1, {"-n", "--adjustment"}));
  if (p == "ionice") return Command(w, SkipOptions(w, 1, {"-c", "-n", "-p", "-P", "-u"}));
  if (p == "chroot") return Command(w, SkipOptions(w, 1, {"--userspec", "--groups"}) + 1);
  if (p == "chrt" || p == "taskset") return Command(w, SkipOptions(w, 1, {"-p"}) + 1);
  if (p == "xargs")
    return Command(w, SkipOptions(w, 1, {"-n", "-P", "-L", "-I", "-d", "-E", "-s", "-a", "-i"}));
  if (p == "exec") return Command(w, SkipOptions(w, 1, {"-a"}));
  if (p == "strace" || p == "ltrace")
    return Command(
        w, SkipOptions(w, 1,
                       {"-o", "-p", "-e", "-s", "-u", "-E", "-P", "-S", "-X", "-b", "-a", "-O"}));
  if (p == "stdbuf") return Command(w, SkipOptions(w, 1, {"-i", "-o", "-e"}));
  static constexpr std::array<std::string_view, 11> kPlain = {
      "nohup",   "time",        "builtin",  "command",  "unbuffer", "setsid",
      "busybox", "proxychains", "torsocks", "firejail", "catchsegv"};
  if (OneOf(p, kPlain)) return Command(w, SkipOptions(w, 1, {}));
  return {};
}

}  // namespace hotplex::policies
