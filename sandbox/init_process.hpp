// The sandbox's PID 1 (child side, async-signal-safe). It starts the payload in
// its own session and process group, forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT/
// SIGUSR1/SIGUSR2 to that group, reaps every zombie, and when the payload ends
// writes its wait status to the parent and exits -- at which point the kernel
// kills whatever else is left in the pid namespace. Its first act hides the
// daemon it was cloned from: /proc/1/cmdline reads "hotplex-init", not the
// daemon's host path and arguments, and /proc/1/environ is empty.
#pragma once

namespace hotplex::sandbox {

struct ChildContext;

[[noreturn]] void RunInit(const ChildContext& ctx);

}  // namespace hotplex::sandbox
