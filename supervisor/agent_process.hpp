// AgentProcess: one running agent inside a sandbox, with its stdio brokered
// through asio.
//
// Owns the Sandbox (destroying it kills and reaps the whole process tree), the
// parent ends of the stdin/stdout/stderr pipes and a watch on the sandbox's
// pidfd. stdout and stderr are read continuously and split into lines (long
// lines are cut and flagged, never fatal); stdin has a bounded write queue.
// When the sandbox has ended and both output pipes reached EOF (or a short
// grace period passed), OnExit runs once with the typed outcome; a wall-time
// limit kills the sandbox and reports kTimedOut.
// Thread-safety: every method must be called from the owner's strand; the
// callbacks run on that strand too.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "common/result.hpp"
#include "sandbox/backend.hpp"
#include "supervisor/line_splitter.hpp"

namespace hotplex::supervisor {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class AgentProcess : public std::enable_shared_from_this<AgentProcess> {
 public:
  struct Callbacks {
    std::function<void(std::string_view line, bool truncated)> on_stdout;
    std::function<void(std::string_view line, bool truncated)> on_stderr;
    std::function<void(const sandbox::Outcome&)> on_exit;
  };
  struct Options {
    std::size_t max_line_bytes = kDefaultMaxLineBytes;
    std::size_t stdin_queue_bytes = 64u << 20;
    std::chrono::milliseconds wall_time{0};  // 0 = none
  };

  // Creates the pipes, launches the sandbox (spec.stdio is filled here) and
  // starts reading. Must run on a long-lived thread: the sandbox's parent-death
  // signal fires when the launching *thread* exits.
  static Result<std::shared_ptr<AgentProcess>> Launch(Strand strand, sandbox::Backend& backend,
                                                      sandbox::SandboxSpec spec,
                                                      Callbacks callbacks, Options options);
  // Takes back an agent an earlier supervisor left running (Backend::Reattach);
  // no probe, no launch. Same threading rule as Launch.
  static Result<std::shared_ptr<AgentProcess>> Reattach(
      Strand strand, sandbox::Backend& backend, sandbox::SandboxSpec spec,
      std::chrono::system_clock::time_point quiet_since, std::string last_line, Callbacks callbacks,
      Options options);
  ~AgentProcess();

  // Queues a line for stdin ('\n' appended). False if the queue is full or
  // stdin is closed.
  bool WriteLine(std::string line);
  void Signal(int sig);
  // Kills the sandbox; OnExit follows with kKilled (or kTimedOut).
  void Kill();
  // Lets the agent run on after this process is gone, for a later supervisor to
  // Reattach (Sandbox::Detach); false where the backend cannot. No OnExit follows.
  bool Detach();
  pid_t Pid() const;
  bool Exited() const { return exit_reported_; }
  // AgentProcess objects alive in this process (their sandboxes not yet reaped).
  static std::size_t LiveCount();

  AgentProcess(Strand strand, std::unique_ptr<sandbox::Sandbox> box, Callbacks callbacks,
               Options options);

 private:
  struct Reader;

  using Opener =
      std::function<Result<std::unique_ptr<sandbox::Sandbox>>(const sandbox::SandboxSpec&)>;
  static Result<std::shared_ptr<AgentProcess>> Open(Strand strand, const Opener& open,
                                                    sandbox::SandboxSpec spec, Callbacks callbacks,
                                                    Options options);
  void Start(int stdin_fd, int stdout_fd, int stderr_fd);
  void ReadLoop(Reader& reader);
  void WriteNext();
  void WatchExit();
  void PollExit();
  void OnSandboxEnded();
  void MaybeReportExit();

  Strand strand_;
  std::unique_ptr<sandbox::Sandbox> box_;
  Callbacks callbacks_;
  const Options options_;
  boost::asio::posix::stream_descriptor stdin_;
  std::unique_ptr<Reader> stdout_reader_;
  std::unique_ptr<Reader> stderr_reader_;
  boost::asio::posix::stream_descriptor pidfd_;
  boost::asio::steady_timer exit_timer_;  // pidfd fallback polling, then EOF grace
  boost::asio::steady_timer wall_timer_;
  std::deque<std::string> stdin_queue_;
  std::size_t stdin_queued_bytes_ = 0;
  bool writing_ = false;
  bool timed_out_ = false;
  bool killed_ = false;
  std::optional<sandbox::Outcome> outcome_;
  bool grace_expired_ = false;
  bool exit_reported_ = false;
};

}  // namespace hotplex::supervisor
