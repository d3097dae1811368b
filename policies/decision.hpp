// Decision: the answer of the policy engine for one tool call or command, as a
// value. The message tells the agent why and what it may do instead, because
// an agent retries blindly on vague denials. Thread-safety: value type.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace hotplex::policies {

enum class Verdict { kAllow, kDeny, kAsk };
const char* VerdictName(Verdict v);

struct Decision {
  Verdict verdict = Verdict::kAllow;
  std::string rule;      // e.g. "destructive.rm-root", "tools.deny", "files.outside-workdir"
  std::string level;     // critical|high|medium|low, empty when no rule matched
  std::string category;  // e.g. "destructive", "tools", "files"
  std::string message;
  std::string matched;  // the normalised simple command (or path) that matched

  bool Allowed() const { return verdict == Verdict::kAllow; }
};

// {"decision":"deny","rule":"…","level":"critical","category":"…","message":"…","matched":"…"}
nlohmann::json ToJson(const Decision& d);

}  // namespace hotplex::policies
