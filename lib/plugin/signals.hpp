#pragma once
// How a check ends when the monitoring core (or an operator) stops it: a plugin killed on the
// core's own timeout must still exit 0-3 and clean up after itself, and a reader that closes the
// pipe early must not kill it with SIGPIPE.
//
// run_plugin installs the handlers once per process: SIGPIPE is ignored (a write to a closed pipe
// fails with EPIPE instead); SIGTERM, SIGINT and SIGHUP (the last two unless the parent set them
// to be ignored, as nohup and shells' background jobs do) only record which signal came and make
// termination_fd() readable (a self-pipe). Nothing is interrupted asynchronously, so every temp
// file and lock is released by the code that owns it, as on any other early return. Code that
// waits checks the hook and stops waiting:
//   * the query engine adds termination_fd() to its ppoll set and ends its loop when it is
//     readable (lib/dns/engine.cpp);
//   * the state file's lock wait and name resolution poll termination_requested();
//   * run_plugin then reports `LABEL UNKNOWN - terminated by SIGTERM ...` (exit 3).
namespace anycast::plugin {

// Idempotent; returns false if the handlers could not be set up (the check then runs unprotected,
// as before). Not thread-safe: called from main's thread before any work.
bool install_termination_handlers() noexcept;

// True once SIGTERM, SIGINT or SIGHUP arrived (after install_termination_handlers).
bool termination_requested() noexcept;

// The signal that asked to stop, 0 if none.
int termination_signal() noexcept;

// The read end of the self-pipe (readable once a termination signal arrived), -1 before
// install_termination_handlers. Never read from it: it stays readable.
int termination_fd() noexcept;

// "SIGTERM", "SIGINT", "SIGHUP", or "a signal".
const char* termination_signal_name(int signal) noexcept;

// For tests: behave as if `signal` had arrived (what the handler does), without sending one.
void simulate_termination(int signal) noexcept;

}  // namespace anycast::plugin
