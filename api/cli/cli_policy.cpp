// hotplexd policy check|show|explain: the operator's view of policy files.
//   check FILE...      validate; 0 if all valid, 1 with every error otherwise
//   show FILE          the effective policy after `extends`, as YAML
//   explain --policy FILE --tool TOOL --input JSON [--workdir DIR]
//                      one decision as a JSON object; exit 0 allow, 1 deny,
//                      3 ask, 2 usage or policy error
// Parent policies (`extends`) are looked up next to FILE.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/cli/cli.hpp"
#include "common/argv.hpp"
#include "policies/policy_loader.hpp"
#include "policies/policy_yaml_writer.hpp"

namespace hotplex::cli {
namespace {

namespace pol = hotplex::policies;

constexpr int kUsage = 2;

constexpr const char* kHelp =
    "usage: hotplexd policy check FILE...\n"
    "       hotplexd policy show FILE\n"
    "       hotplexd policy explain --policy FILE --tool TOOL --input JSON [--workdir DIR]\n"
    "       hotplexd policy reload [--json] [--server URL] [--state-dir DIR]\n\n"
    "check    validate policy files; prints every problem as file:line:column: field: message\n"
    "show     print the effective policy (after extends) as YAML\n"
    "explain  print the decision for one tool call as JSON; --input - reads the JSON from stdin\n"
    "         exit status: 0 allow, 1 deny, 3 ask, 2 usage or policy error\n"
    "reload   ask the running daemon to reload its policy directory (admin API); prints\n"
    "         every error; exit 0 all loaded, 1 some rejected, 3 unreachable, 4 no/bad token\n\n"
    "Policies named in `extends` are looked up in the directory of FILE.\n";

std::string DirOf(const std::string& file) {
  const std::string dir = std::filesystem::path(file).parent_path().string();
  return dir.empty() ? "." : dir;
}

pol::LoadResult Load(const std::string& file) { return pol::LoadPolicyFile(file, DirOf(file)); }

int Check(int argc, char** argv) {
  if (argc < 1) {
    (void)std::fputs(kHelp, stderr);
    return kUsage;
  }
  bool all_ok = true;
  for (int i = 0; i < argc; ++i) {
    auto loaded = Load(argv[i]);
    if (loaded) {
      (void)std::printf("%s: ok (policy '%s', %zu firewall rules)\n", argv[i],
                        (*loaded)->Name().c_str(), (*loaded)->FirewallRuleCount());
      continue;
    }
    all_ok = false;
    (void)std::fputs(pol::FormatDiagnostics(loaded.error()).c_str(), stderr);
    (void)std::fprintf(stderr, "%s: invalid (%zu problem%s)\n", argv[i], loaded.error().size(),
                       loaded.error().size() == 1 ? "" : "s");
  }
  return all_ok ? 0 : 1;
}

int Show(int argc, char** argv) {
  if (argc != 1) {
    (void)std::fputs(kHelp, stderr);
    return kUsage;
  }
  auto loaded = Load(argv[0]);
  if (!loaded) {
    (void)std::fputs(pol::FormatDiagnostics(loaded.error()).c_str(), stderr);
    return 1;
  }
  (void)std::fputs(pol::PolicyToYaml((*loaded)->Spec()).c_str(), stdout);
  return 0;
}

struct ExplainArgs {
  std::string policy, tool, input, workdir;
};

bool ParseExplainArgs(int argc, char** argv, ExplainArgs& out) {
  ArgvParser parser;
  parser.Value({"--policy"}, out.policy)
      .Value({"--tool"}, out.tool)
      .Value({"--input"}, out.input)
      .Value({"--workdir"}, out.workdir);
  const auto rest = parser.Parse(ArgsOf(argc, argv, 0));
  return rest && rest->empty() && !out.policy.empty() && !out.tool.empty() && !out.input.empty();
}

std::string CurrentDir() {
  std::error_code ec;
  const auto cwd = std::filesystem::current_path(ec);
  return ec ? std::string("/") : cwd.string();
}

int Explain(int argc, char** argv) {
  ExplainArgs args;
  if (!ParseExplainArgs(argc, argv, args)) {
    (void)std::fputs(kHelp, stderr);
    return kUsage;
  }
  if (args.input == "-") args.input.assign(std::istreambuf_iterator<char>(std::cin), {});
  const nlohmann::json input = nlohmann::json::parse(args.input, nullptr, false);
  if (input.is_discarded() || !input.is_object()) {
    (void)std::fprintf(
        stderr,
        "hotplexd policy explain: --input must be a JSON object, e.g. '{\"command\":\"ls\"}'\n");
    return kUsage;
  }
  auto loaded = Load(args.policy);
  if (!loaded) {
    (void)std::fputs(pol::FormatDiagnostics(loaded.error()).c_str(), stderr);
    return kUsage;
  }
  const std::string workdir =
      args.workdir.empty() ? CurrentDir() : std::filesystem::absolute(args.workdir).string();
  const pol::Decision d = (*loaded)->DecideTool(args.tool, input, workdir);
  (void)std::printf("%s\n", pol::ToJson(d).dump().c_str());
  switch (d.verdict) {
    case pol::Verdict::kAllow: return 0;
    case pol::Verdict::kDeny: return 1;
    case pol::Verdict::kAsk: return 3;
  }
  return 1;
}

}  // namespace

int PolicyMain(int argc, char** argv) {
  if (argc < 2) {
    (void)std::fputs(kHelp, stderr);
    return kUsage;
  }
  const std::string_view sub = argv[1];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    (void)std::fputs(kHelp, stdout);
    return 0;
  }
  if (sub == "check") return Check(argc - 2, argv + 2);
  if (sub == "show") return Show(argc - 2, argv + 2);
  if (sub == "explain") return Explain(argc - 2, argv + 2);
  if (sub == "reload") return PolicyReloadMain(argc - 2, argv + 2);
  (void)std::fprintf(stderr, "hotplexd policy: unknown sub-command '%s'\n", argv[1]);
  (void)std::fputs(kHelp, stderr);
  return kUsage;
}

}  // namespace hotplex::cli
