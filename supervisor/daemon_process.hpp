// The daemon process's own settings, made once at `serve` start before
// anything is opened: its file creation mask and its descriptor budget.
// (api/ makes no syscalls: the front end calls this.) Thread-safety: call
// once, from the main thread, before other threads start.
#pragma once

namespace hotplex::supervisor {

// umask 077: whatever the daemon creates (databases and their -wal/-shm, keys,
// dirs) is its own; the layout's wider modes (0711 dirs) are set explicitly.
// Raises the soft RLIMIT_NOFILE to the hard limit and logs both (JSON line on
// stderr): every connection, session pipe and database costs descriptors.
// Payloads keep their policy's limits.open_files, which the sandbox sets.
void PrepareDaemonProcess();

}  // namespace hotplex::supervisor
