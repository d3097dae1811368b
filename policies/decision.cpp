#include "policies/decision.hpp"

#include <nlohmann/json.hpp>

namespace hotplex::policies {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAllow: return "allow";
    case Verdict::kDeny: return "deny";
    case Verdict::kAsk: return "ask";
  }
  return "deny";
}

nlohmann::json ToJson(const Decision& d) {
  return nlohmann::json{{"decision", VerdictName(d.verdict)},
                        {"rule", d.rule},
                        {"level", d.level},
                        {"category", d.category},
                        {"message", d.message},
                        {"matched", d.matched}};
}

}  // namespace hotplex::policies
