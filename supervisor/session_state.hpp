// SessionState: the lifecycle of a session.
//
//   starting -> ready <-> busy      the agent process runs
//   stopped                          no process (idle-reaped, crashed, daemon restarted);
//                                    the next message starts it again and resumes
//   dead                             deleted or failed for good; terminal
#pragma once

#include <optional>
#include <string_view>

namespace hotplex::supervisor {

enum class SessionState { kStarting, kReady, kBusy, kStopped, kDead };

const char* SessionStateName(SessionState state);
std::optional<SessionState> ParseSessionState(std::string_view name);

}  // namespace hotplex::supervisor
