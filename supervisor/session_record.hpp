// SessionRecord: the durable description of a session, as stored in SQLite and
// returned by the API (state, provider, policy, workdir, times, turns, usage).
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"  // NowUnixMs, the records' clock
#include "supervisor/session_state.hpp"

namespace hotplex::supervisor {

enum class ProviderKind { kClaudeCode, kExec };

const char* ProviderKindName(ProviderKind kind);  // "claude-code", "exec"
bool ParseProviderKind(std::string_view name, ProviderKind& out);

struct SessionRecord {
  std::string id;
  std::string tenant_id;
  std::string key;  // the client's stable key; empty if none
  ProviderKind provider = ProviderKind::kClaudeCode;
  std::string policy;   // the team policy's name
  std::string workdir;  // absolute host path inside the tenant's workspace root
  std::string home;     // absolute host path of the session's persistent $HOME
  // The agent's own conversation id (Claude Code's --session-id/--resume value).
  // Equal to `id` for a session started cold; a session adopted from the warm
  // pool keeps the id (and home) its agent was started with. Empty = `id`.
  std::string conversation_id;
  std::vector<std::string> argv;  // exec only
  std::int64_t created_ms = 0;    // unix epoch milliseconds
  std::int64_t last_active_ms = 0;
  SessionState state = SessionState::kStarting;
  std::string state_reason;
  std::uint64_t turns = 0;        // prompts accepted
  std::uint64_t turns_ended = 0;  // turns the agent finished
  bool has_conversation = false;  // the agent saw at least one prompt: resume on restart
  std::uint64_t last_seq = 0;
  // docker adopt mode: sandbox::OutputLineDigest of the last output line read
  // (at last_active_ms); a re-adopting daemon compares it with the container's log.
  std::string last_output_digest;
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t cache_read_tokens = 0;
  std::uint64_t cache_creation_tokens = 0;
  double cost_usd = 0;
};

// The conversation id, or the session id for records that predate the field.
const std::string& ConversationIdOf(const SessionRecord& record);

}  // namespace hotplex::supervisor
