#include "sandbox/docker/docker_sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>

#include "sandbox/docker/docker_stream.hpp"

namespace hotplex::sandbox {
namespace {

constexpr int kMaxSignalExit = 128 + 64;

void Notify(int eventfd) {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(eventfd, &one, sizeof one);
}

// Writes everything to a (possibly non-blocking) fd; false once the reader is gone.
bool WriteFully(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
    } else if (!(n < 0 && errno == EINTR)) {
      return false;
    }
  }
  return true;
}

}  // namespace

DockerSandbox::DockerSandbox(Params params)
    : client_(std::move(params.client)),
      id_(std::move(params.id)),
      attach_fd_(std::move(params.attach.fd)),
      leftover_(std::move(params.attach.leftover)),
      in_(std::move(params.in)),
      out_(std::move(params.out)),
      err_(std::move(params.err)),
      stop_fd_(::eventfd(0, EFD_CLOEXEC)),
      ended_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      gate_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      detach_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      gated_(params.gated),
      adoptable_(params.adoptable),
      memory_limit_(params.memory_limit) {
  if (params.wall_time.count() > 0) {
    has_deadline_ = true;
    deadline_ = std::chrono::steady_clock::now() + params.wall_time;
  }
}

Result<std::unique_ptr<DockerSandbox>> DockerSandbox::Start(Params params) {
  const bool running = params.running;
  std::unique_ptr<DockerSandbox> box(new DockerSandbox(std::move(params)));
  if (!box->stop_fd_ || !box->ended_fd_ || !box->gate_fd_ || !box->detach_fd_) {
    return ErrnoError("eventfd", "docker sandbox");
  }
  ::fcntl(box->attach_fd_.Get(), F_SETFL, O_NONBLOCK);
  box->pump_ = std::thread([raw = box.get()] { raw->PumpLoop(); });
  if (auto started = running ? Status{} : box->client_->Start(box->id_); !started) {
    // The destructor stops the pump and removes the container.
    return std::move(started).error();
  }
  if (auto state = box->client_->Inspect(box->id_)) box->pid_ = state->pid;
  box->waiter_ = std::thread([raw = box.get()] { raw->WaitLoop(); });
  return box;
}

void DockerSandbox::ReleaseGate() { Notify(gate_fd_.Get()); }

bool DockerSandbox::Detach() {
  if (!adoptable_) return false;
  detached_ = true;
  return true;
}

DockerSandbox::~DockerSandbox() {
  bool ended;
  {
    std::lock_guard lock(mu_);
    ended = outcome_.has_value();
  }
  if (detached_ && !ended) {
    Notify(detach_fd_.Get());  // the container runs on: only our threads end
  } else {
    if (!ended) (void)client_->Kill(id_, SIGKILL);
    (void)client_->Remove(id_);
  }
  if (waiter_.joinable()) waiter_.join();
  Notify(stop_fd_.Get());
  if (pump_.joinable()) pump_.join();
}

void DockerSandbox::PumpLoop() {
  // Writing to a pipe whose reader left must fail with EPIPE, not kill the daemon.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  DockerStreamDemuxer demux;
  bool outputs_open = true;
  const auto sink = [&](DockerStream stream, std::string_view data) {
    const int fd = stream == DockerStream::kStdout ? out_.Get() : err_.Get();
    if (outputs_open && !WriteFully(fd, data)) outputs_open = false;
  };
  demux.Feed(leftover_, sink);
  std::string pending;  // stdin bytes not yet accepted by the daemon
  char buf[65536];
  while (true) {
    // While gated, the caller's stdin waits: the release byte goes first.
    pollfd fds[4] = {
        {stop_fd_.Get(), POLLIN, 0},
        {attach_fd_.Get(), static_cast<short>(POLLIN | (pending.empty() ? 0 : POLLOUT)), 0},
        {pending.empty() && !gated_ ? in_.Get() : -1, POLLIN, 0},
        {gated_ ? gate_fd_.Get() : -1, POLLIN, 0}};
    if (::poll(fds, 4, -1) < 0 && errno != EINTR) break;
    if (fds[0].revents) break;
    if (fds[3].fd >= 0 && fds[3].revents) {
      std::uint64_t ignored;
      (void)::read(gate_fd_.Get(), &ignored, sizeof ignored);
      gated_ = false;
      pending = "\n";
      continue;
    }
    if (fds[1].revents & POLLOUT) {
      const ssize_t n = ::send(attach_fd_.Get(), pending.data(), pending.size(), MSG_NOSIGNAL);
      if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
      if (n < 0 && errno != EAGAIN && errno != EINTR) pending.clear();
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::read(attach_fd_.Get(), buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
      if (n > 0) demux.Feed(std::string_view(buf, static_cast<std::size_t>(n)), sink);
    }
    if (fds[2].fd >= 0 && fds[2].revents) {
      const ssize_t n = ::read(in_.Get(), buf, sizeof buf);
      if (n > 0) {
        pending.assign(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        // stdin EOF: half-close, so that the payload reads EOF (StdinOnce). Without
        // StdinOnce docker would end our output streams instead: keep them.
        in_.Reset();
        if (!adoptable_) ::shutdown(attach_fd_.Get(), SHUT_WR);
      }
    }
  }
  // Closing our copies lets the caller's readers see EOF.
  out_.Reset();
  err_.Reset();
  in_.Reset();
}

void DockerSandbox::WaitLoop() {
  auto waited = client_->Wait(id_, detach_fd_.Get());
  if (!waited && detached_) return;  // cancelled by the destructor of a detached sandbox
  Outcome outcome = waited ? OutcomeFromState(client_->Inspect(id_))
                           : Outcome::SetupFailed("docker wait: " + waited.error().Describe(), 0);
  {
    std::lock_guard lock(mu_);
    outcome_ = outcome;
  }
  cv_.notify_all();
  Notify(ended_fd_.Get());
}

Outcome DockerSandbox::OutcomeFromState(const Result<ContainerState>& state) const {
  if (timed_out_) return Outcome{OutcomeKind::kTimedOut, SIGKILL, {}, 0, 0};
  if (killed_) return Outcome{OutcomeKind::kKilled, SIGKILL, {}, 0, 0};
  if (!state) return Outcome::SetupFailed("docker inspect: " + state.error().Describe(), 0);
  if (state->oom_killed) return Outcome{OutcomeKind::kOomKilled, SIGKILL, {}, 0, memory_limit_};
  if (state->exit_code > 128 && state->exit_code < kMaxSignalExit) {
    return Outcome::Signaled(state->exit_code - 128);
  }
  return Outcome::Exited(state->exit_code);
}

std::optional<Outcome> DockerSandbox::Poll() {
  {
    std::lock_guard lock(mu_);
    if (outcome_) return outcome_;
  }
  if (has_deadline_ && std::chrono::steady_clock::now() >= deadline_) KillWithReason(true);
  return std::nullopt;
}

Outcome DockerSandbox::Wait() {
  std::unique_lock lock(mu_);
  if (has_deadline_ && !cv_.wait_until(lock, deadline_, [&] { return outcome_.has_value(); })) {
    lock.unlock();
    KillWithReason(true);
    lock.lock();
  }
  cv_.wait(lock, [&] { return outcome_.has_value(); });
  return *outcome_;
}

void DockerSandbox::Signal(int sig) { (void)client_->Kill(id_, sig); }

void DockerSandbox::Kill() { KillWithReason(false); }

void DockerSandbox::KillWithReason(bool timed_out) {
  {
    std::lock_guard lock(mu_);
    if (outcome_) return;
  }
  if (timed_out) {
    timed_out_ = true;
  } else {
    killed_ = true;
  }
  (void)client_->Kill(id_, SIGKILL);
}

}  // namespace hotplex::sandbox
