#include "policies/policy_spec.hpp"

namespace hotplex::policies {

const char* BackendName(Backend b) {
  switch (b) {
    case Backend::kNamespace: return "namespace";
    case Backend::kDocker: return "docker";
    case Backend::kJobObject: return "job-object";
    case Backend::kProcess: return "process";
  }
  return "namespace";
}

const char* NetworkModeName(NetworkMode m) {
  switch (m) {
    case NetworkMode::kNone: return "none";
    case NetworkMode::kEgress: return "egress";
    case NetworkMode::kHost: return "host";
  }
  return "none";
}

const char* ToolVerdictName(ToolVerdict v) {
  switch (v) {
    case ToolVerdict::kAllow: return "allow";
    case ToolVerdict::kDeny: return "deny";
    case ToolVerdict::kAsk: return "ask";
  }
  return "deny";
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kCritical: return "critical";
    case Level::kHigh: return "high";
    case Level::kMedium: return "medium";
    case Level::kLow: return "low";
  }
  return "critical";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kBlock: return "block";
    case Action::kAsk: return "ask";
    case Action::kLog: return "log";
  }
  return "block";
}

}  // namespace hotplex::policies
