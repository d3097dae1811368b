#include "supervisor/session_record.hpp"

namespace hotplex::supervisor {

const char* ProviderKindName(ProviderKind kind) {
  return kind == ProviderKind::kExec ? "exec" : "claude-code";
}

bool ParseProviderKind(std::string_view name, ProviderKind& out) {
  if (name == "claude-code") {
    out = ProviderKind::kClaudeCode;
    return true;
  }
  if (name == "exec") {
    out = ProviderKind::kExec;
    return true;
  }
  return false;
}

const std::string& ConversationIdOf(const SessionRecord& record) {
  return record.conversation_id.empty() ? record.id : record.conversation_id;
}

}  // namespace hotplex::supervisor
