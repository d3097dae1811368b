#include "supervisor/agent_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "common/unique_fd.hpp"

namespace hotplex::supervisor {
namespace asio = boost::asio;
namespace {

constexpr std::chrono::milliseconds kPidfdPollInterval{50};
// After the sandbox ended, output still in the pipes is read for at most this long.
constexpr std::chrono::milliseconds kEofGrace{1000};

std::atomic<std::size_t> g_live_processes{0};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2", "agent stdio");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

struct AgentProcess::Reader {
  Reader(Strand strand, int fd, std::size_t max_line,
         std::function<void(std::string_view, bool)>& handler)
      : stream(strand, fd), splitter(max_line), on_line(handler) {}
  asio::posix::stream_descriptor stream;
  LineSplitter splitter;
  std::function<void(std::string_view, bool)>& on_line;
  std::array<char, 64 * 1024> buffer;
  bool eof = false;
};

Result<std::shared_ptr<AgentProcess>> AgentProcess::Launch(Strand strand, sandbox::Backend& backend,
                                                           sandbox::SandboxSpec spec,
                                                           Callbacks callbacks, Options options) {
  const Opener launch = [&backend](const sandbox::SandboxSpec& s) { return backend.Launch(s); };
  return Open(strand, launch, std::move(spec), std::move(callbacks), options);
}

Result<std::shared_ptr<AgentProcess>> AgentProcess::Reattach(
    Strand strand, sandbox::Backend& backend, sandbox::SandboxSpec spec,
    std::chrono::system_clock::time_point quiet_since, std::string last_line, Callbacks callbacks,
    Options options) {
  const Opener reattach = [&](const sandbox::SandboxSpec& s) {
    return backend.Reattach(s, quiet_since, last_line);
  };
  return Open(strand, reattach, std::move(spec), std::move(callbacks), options);
}

Result<std::shared_ptr<AgentProcess>> AgentProcess::Open(Strand strand, const Opener& open,
                                                         sandbox::SandboxSpec spec,
                                                         Callbacks callbacks, Options options) {
  HOTPLEX_TRY(Pipe in, MakePipe());
  HOTPLEX_TRY(Pipe out, MakePipe());
  HOTPLEX_TRY(Pipe err, MakePipe());
  spec.stdio = {in.read.Get(), out.write.Get(), err.write.Get()};
  HOTPLEX_TRY(std::unique_ptr<sandbox::Sandbox> box, open(spec));
  // The child has its copies; ours would keep the agent's stdout open forever.
  in.read.Reset();
  out.write.Reset();
  err.write.Reset();
  auto process =
      std::make_shared<AgentProcess>(strand, std::move(box), std::move(callbacks), options);
  process->Start(in.write.Release(), out.read.Release(), err.read.Release());
  return process;
}

AgentProcess::AgentProcess(Strand strand, std::unique_ptr<sandbox::Sandbox> box,
                           Callbacks callbacks, Options options)
    : strand_(strand),
      box_(std::move(box)),
      callbacks_(std::move(callbacks)),
      options_(options),
      stdin_(strand),
      pidfd_(strand),
      exit_timer_(strand),
      wall_timer_(strand) {
  ++g_live_processes;
}

AgentProcess::~AgentProcess() {
  // Sandbox's destructor kills and reaps the tree; the descriptors close after.
  box_.reset();
  --g_live_processes;
}

std::size_t AgentProcess::LiveCount() { return g_live_processes.load(); }

void AgentProcess::Start(int stdin_fd, int stdout_fd, int stderr_fd) {
  stdin_.assign(stdin_fd);
  stdout_reader_ =
      std::make_unique<Reader>(strand_, stdout_fd, options_.max_line_bytes, callbacks_.on_stdout);
  stderr_reader_ =
      std::make_unique<Reader>(strand_, stderr_fd, options_.max_line_bytes, callbacks_.on_stderr);
  auto self = shared_from_this();
  asio::post(strand_, [self] {
    self->ReadLoop(*self->stdout_reader_);
    self->ReadLoop(*self->stderr_reader_);
    self->WatchExit();
  });
  if (options_.wall_time.count() > 0) {
    wall_timer_.expires_after(options_.wall_time);
    wall_timer_.async_wait([self](boost::system::error_code ec) {
      if (ec || self->outcome_) return;
      self->timed_out_ = true;
      self->box_->Kill();
    });
  }
}

void AgentProcess::ReadLoop(Reader& reader) {
  auto self = shared_from_this();
  reader.stream.async_read_some(
      asio::buffer(reader.buffer), [self, &reader](boost::system::error_code ec, std::size_t n) {
        if (n > 0) {
          reader.splitter.Feed(std::string_view(reader.buffer.data(), n), reader.on_line);
        }
        if (ec) {
          reader.splitter.Finish(reader.on_line);
          reader.eof = true;
          self->MaybeReportExit();
          return;
        }
        self->ReadLoop(reader);
      });
}

bool AgentProcess::WriteLine(std::string line) {
  if (!stdin_.is_open()) return false;
  if (stdin_queued_bytes_ + line.size() + 1 > options_.stdin_queue_bytes) return false;
  line += '\n';
  stdin_queued_bytes_ += line.size();
  stdin_queue_.push_back(std::move(line));
  if (!writing_) WriteNext();
  return true;
}

void AgentProcess::WriteNext() {
  if (stdin_queue_.empty() || !stdin_.is_open()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(stdin_, asio::buffer(stdin_queue_.front()),
                    [self](boost::system::error_code ec, std::size_t) {
                      self->stdin_queued_bytes_ -= self->stdin_queue_.front().size();
                      self->stdin_queue_.pop_front();
                      if (ec) {
                        // The agent closed stdin or died: nothing more can reach it.
                        boost::system::error_code ignored;
                        self->stdin_.close(ignored);
                        self->stdin_queue_.clear();
                        self->stdin_queued_bytes_ = 0;
                      }
                      self->WriteNext();
                    });
}

void AgentProcess::WatchExit() {
  const int pidfd = box_->PidFd();
  const int dup = pidfd >= 0 ? ::fcntl(pidfd, F_DUPFD_CLOEXEC, 0) : -1;
  if (dup < 0) return PollExit();
  pidfd_.assign(dup);
  auto self = shared_from_this();
  pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                    [self](boost::system::error_code ec) {
                      if (ec == asio::error::operation_aborted) return;
                      self->PollExit();
                    });
}

void AgentProcess::PollExit() {
  if (auto outcome = box_->Poll()) {
    outcome_ = std::move(*outcome);
    return OnSandboxEnded();
  }
  auto self = shared_from_this();
  exit_timer_.expires_after(kPidfdPollInterval);
  exit_timer_.async_wait([self](boost::system::error_code ec) {
    if (!ec) self->PollExit();
  });
}

void AgentProcess::OnSandboxEnded() {
  wall_timer_.cancel();
  if (timed_out_) outcome_->kind = sandbox::OutcomeKind::kTimedOut;
  auto self = shared_from_this();
  exit_timer_.expires_after(kEofGrace);
  exit_timer_.async_wait([self](boost::system::error_code ec) {
    if (ec) return;
    self->grace_expired_ = true;
    self->MaybeReportExit();
  });
  MaybeReportExit();
}

void AgentProcess::MaybeReportExit() {
  if (exit_reported_ || !outcome_) return;
  const bool drained = stdout_reader_->eof && stderr_reader_->eof;
  if (!drained && !grace_expired_) return;
  exit_reported_ = true;
  exit_timer_.cancel();
  boost::system::error_code ignored;
  stdin_.close(ignored);
  stdout_reader_->stream.close(ignored);
  stderr_reader_->stream.close(ignored);
  pidfd_.close(ignored);
  if (callbacks_.on_exit) callbacks_.on_exit(*outcome_);
}

void AgentProcess::Signal(int sig) {
  if (!outcome_) box_->Signal(sig);
}

void AgentProcess::Kill() {
  if (outcome_) return;
  killed_ = true;
  box_->Kill();
}

bool AgentProcess::Detach() {
  if (outcome_ || !box_->Detach()) return false;
  exit_reported_ = true;  // from here on the agent is not ours: no OnExit
  // Ending every pending operation releases this object; the detached Sandbox's
  // destructor then leaves the agent running.
  boost::system::error_code ignored;
  wall_timer_.cancel();
  exit_timer_.cancel();
  stdin_.close(ignored);
  stdout_reader_->stream.close(ignored);
  stderr_reader_->stream.close(ignored);
  pidfd_.close(ignored);
  return true;
}

pid_t AgentProcess::Pid() const { return box_->Pid(); }

}  // namespace hotplex::supervisor
