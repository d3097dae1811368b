#include "common/argv.hpp"

#include <algorithm>

namespace hotplex {
namespace {

// "-x" and "--x" are options; "-" alone is a value (stdin, by convention).
bool LooksLikeOption(std::string_view arg) { return arg.size() > 1 && arg[0] == '-'; }

}  // namespace

ArgvParser& ArgvParser::Switch(std::initializer_list<std::string_view> names, bool& out) {
  Option option;
  option.names.assign(names.begin(), names.end());
  option.flag = &out;
  options_.push_back(std::move(option));
  return *this;
}

ArgvParser& ArgvParser::Value(std::initializer_list<std::string_view> names, std::string& out) {
  return Value(names, [&out](const std::string& value) -> Status {
    out = value;
    return {};
  });
}

ArgvParser& ArgvParser::Value(std::initializer_list<std::string_view> names, ValueHandler handler) {
  Option option;
  option.names.assign(names.begin(), names.end());
  option.on_value = std::move(handler);
  options_.push_back(std::move(option));
  return *this;
}

ArgvParser& ArgvParser::StopAtPositional() {
  stop_at_positional_ = true;
  return *this;
}

ArgvParser& ArgvParser::Unknown(UnknownOptions mode) {
  unknown_ = mode;
  return *this;
}

const ArgvParser::Option* ArgvParser::Find(std::string_view name) const {
  for (const auto& option : options_) {
    if (std::find(option.names.begin(), option.names.end(), name) != option.names.end()) {
      return &option;
    }
  }
  return nullptr;
}

Status ArgvParser::Apply(const Option& option, std::string_view name,
                         const std::string* inline_value, const std::vector<std::string>& args,
                         std::size_t& i) const {
  if (option.flag != nullptr) {
    if (inline_value != nullptr) {
      return MakeError("option " + std::string(name) + " takes no value");
    }
    *option.flag = true;
    return {};
  }
  if (inline_value != nullptr) return option.on_value(*inline_value);
  if (i + 1 >= args.size()) return MakeError("option " + std::string(name) + " needs a value");
  return option.on_value(args[++i]);
}

Result<std::vector<std::string>> ArgvParser::Parse(const std::vector<std::string>& args) const {
  std::vector<std::string> positionals;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (!LooksLikeOption(arg)) {
      if (stop_at_positional_) break;
      positionals.push_back(arg);
      continue;
    }
    // Only long options carry an inline value: "-x=1" is the option "-x=1".
    const std::size_t eq = arg.rfind("--", 0) == 0 ? arg.find('=') : std::string::npos;
    const std::string name = arg.substr(0, eq);
    const std::string inline_value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    const Option* option = Find(name);
    if (option == nullptr) {
      if (unknown_ == UnknownOptions::kError) {
        return MakeError("unknown option '" + name + "'");
      }
      if (unknown_ == UnknownOptions::kKeep) positionals.push_back(arg);
      continue;
    }
    HOTPLEX_TRY_STATUS(
        Apply(*option, name, eq == std::string::npos ? nullptr : &inline_value, args, i));
  }
  positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return positionals;
}

std::vector<std::string> ArgsOf(int argc, char** argv, int first) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

}  // namespace hotplex
