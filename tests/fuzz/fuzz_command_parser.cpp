// libFuzzer target: arbitrary bytes as a shell command. The parser and the
// firewall of the built-in default policy must decide every input without
// crashing or hanging.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policies/policy_loader.hpp"
#include "policies/shell_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto policy = [] {
    auto loaded = hotplex::policies::LoadPolicyText(hotplex::policies::BuiltinDefaultPolicyText(),
                                                    "default", "");
    if (!loaded) std::abort();
    return *loaded;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hotplex::policies::ShellParser parser;
  hotplex::policies::ParsedScript parsed;
  parser.Parse(text, parsed);
  const auto decision = policy->CheckCommand(text);
  // A refused parse is always a deny, and every deny names its rule.
  if (!parsed.rejection.empty() && decision.verdict != hotplex::policies::Verdict::kDeny)
    std::abort();
  if (decision.verdict == hotplex::policies::Verdict::kDeny && decision.rule.empty()) std::abort();
  return 0;
}
