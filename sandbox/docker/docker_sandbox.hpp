// DockerSandbox: one running container, the Sandbox the docker backend returns.
//
// Owns the container: destroying it kills and force-removes the container.
// Two threads of its own, both joined in the destructor:
//  - the pump copies the caller's stdin into the hijacked attach connection
//    (stdin EOF becomes a write half-close, which closes the payload's stdin)
//    and demultiplexes the attach stream into the caller's stdout/stderr fds;
//  - the waiter blocks in POST /containers/{id}/wait, then reads the outcome
//    from inspect (OOMKilled, exit code) and makes PidFd() readable.
// A container has no host pidfd: PidFd() is an eventfd that becomes readable
// once the outcome is known. docker-init is pid 1, so a payload killed by
// signal N shows as exit code 128+N and is reported as kSignaled(N).
// An adoptable sandbox (docker reconcile: adopt) can be detached instead: its
// container runs on for a later supervisor to attach to again.
// Thread-safety: Poll/Wait/Signal/Kill may be called from one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"
#include "sandbox/backend.hpp"
#include "sandbox/docker/docker_client.hpp"

namespace hotplex::sandbox {

class DockerSandbox final : public Sandbox {
 public:
  struct Params {
    std::shared_ptr<const DockerClient> client;
    std::string id;
    AttachStream attach;
    UniqueFd in, out, err;  // our own duplicates of the caller's stdio
    std::chrono::milliseconds wall_time{0};
    std::uint64_t memory_limit = 0;
    // The payload waits for one byte of stdin (GatedCommand): the pump holds
    // the caller's stdin back until ReleaseGate() sent that byte.
    bool gated = false;
    // Created adoptable (StdinOnce off): the caller's stdin EOF is not passed
    // on (docker could only do that by ending the attach stream), and Detach()
    // lets the container run on.
    bool adoptable = false;
    // Already running (re-adopted by a restarted supervisor): not started again.
    bool running = false;
  };
  // Starts the container (already created and attached) and the two threads.
  static Result<std::unique_ptr<DockerSandbox>> Start(Params params);
  ~DockerSandbox() override;

  pid_t Pid() const override { return pid_; }
  int PidFd() const override { return ended_fd_.Get(); }
  std::optional<Outcome> Poll() override;
  Outcome Wait() override;
  void Signal(int sig) override;
  void Kill() override;
  // Adoptable sandboxes only: the destructor then stops the threads and closes
  // the attach connection without killing or removing the container.
  bool Detach() override;

  // For a gated sandbox: sends the payload's release byte, then the caller's
  // stdin (and its EOF) after it.
  void ReleaseGate();

 private:
  explicit DockerSandbox(Params params);
  void PumpLoop();
  void WaitLoop();
  Outcome OutcomeFromState(const Result<ContainerState>& state) const;
  void KillWithReason(bool timed_out);

  std::shared_ptr<const DockerClient> client_;
  std::string id_;
  UniqueFd attach_fd_;
  std::string leftover_;
  UniqueFd in_, out_, err_;
  UniqueFd stop_fd_;    // eventfd: tells the pump to stop
  UniqueFd ended_fd_;   // eventfd: readable once the outcome is known
  UniqueFd gate_fd_;    // eventfd: ReleaseGate() was called
  UniqueFd detach_fd_;  // eventfd: Detach() ends the waiter's POST /wait
  bool gated_ = false;  // pump thread only, after construction
  const bool adoptable_;
  std::atomic<bool> detached_{false};
  std::chrono::steady_clock::time_point deadline_;
  bool has_deadline_ = false;
  std::uint64_t memory_limit_ = 0;
  pid_t pid_ = 0;
  std::atomic<bool> killed_{false};
  std::atomic<bool> timed_out_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Outcome> outcome_;
  std::thread pump_;
  std::thread waiter_;
};

}  // namespace hotplex::sandbox
