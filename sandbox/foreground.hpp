// Running one sandbox in the foreground of a command-line program (hotplexd
// run): signals the terminal sends are forwarded to the payload, and the call
// returns the typed outcome. Plus the host look-ups such a front end needs for
// its defaults, so that front ends make no system calls of their own.
#pragma once

#include <string>

#include "sandbox/backend.hpp"

namespace hotplex::sandbox {

// Launches `spec`, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the payload until
// it ends, and returns the outcome. A setup failure inside the sandbox is an
// Outcome (kSetupFailed, naming the step); the error is for a spec the parent
// could not even start (bad path, bad limit, no cgroups...).
// Call from a single-threaded program: it blocks those signals in the caller.
Result<Outcome> RunInForeground(Backend& backend, const SandboxSpec& spec);

Result<std::string> CurrentDirectory();
// The host uid/gid owning `dir`, as the sandbox identity for a front end that
// runs a payload on a directory of the invoking user.
Result<Identity> IdentityOwning(const std::string& dir);

}  // namespace hotplex::sandbox
