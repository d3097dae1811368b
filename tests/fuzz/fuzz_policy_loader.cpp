// libFuzzer target: arbitrary bytes as a policy file. The loader must return
// a policy or diagnostics, never crash, hang or leak; a policy that loads must
// survive `policy show` (PolicyToYaml) and load again from that output.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policies/policy_loader.hpp"
#include "policies/policy_yaml_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = hotplex::policies::LoadPolicyText(text, "fuzz", "/nonexistent/hotplex-fuzz");
  if (!loaded) {
    for (const auto& d : loaded.error()) {
      if (d.message.empty()) std::abort();  // every diagnostic says what was expected
    }
    return 0;
  }
  const std::string yaml = hotplex::policies::PolicyToYaml((*loaded)->Spec());
  auto again = hotplex::policies::LoadPolicyText(yaml, "fuzz", "/nonexistent/hotplex-fuzz");
  if (!again) std::abort();  // what `policy show` prints must load back
  return 0;
}
