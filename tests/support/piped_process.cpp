#include "tests/support/piped_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

namespace hotplex::testing {

using Clock = std::chrono::steady_clock;

Result<PipedProcess> PipedProcess::Spawn(const ProcessSpec& spec) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  UniqueFd in_read(in[0]), in_write(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  UniqueFd out_read(out[0]), out_write(out[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.Get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.Get(), 1);
  const std::string err = spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path;
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // Its own process group, so the destructor also reaches what it started (Bash tools).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    return ErrnoError("posix_spawn", spec.argv.empty() ? "" : spec.argv[0]);
  }
  return PipedProcess(pid, std::move(in_write), std::move(out_read));
}

PipedProcess::PipedProcess(PipedProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(other.reaped_),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      buffer_(std::move(other.buffer_)),
      eof_(other.eof_) {}

PipedProcess::~PipedProcess() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);  // the whole group, even when the leader already exited
  if (!reaped_) ::waitpid(pid_, nullptr, 0);
}

bool PipedProcess::WriteLine(const std::string& line) {
  const std::string data = line + "\n";
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(stdin_.Get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> PipedProcess::ReadLine(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  char chunk[65536];
  while (true) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    if (eof_) return std::nullopt;
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd pfd{stdout_.Get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::read(stdout_.Get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<nlohmann::json> PipedProcess::ReadJson(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    auto line = ReadLine(left.count() > 0 ? left : Millis(0));
    if (!line) return std::nullopt;
    auto parsed = nlohmann::json::parse(*line, nullptr, false);
    if (!parsed.is_discarded()) return parsed;
  }
}

std::optional<nlohmann::json> PipedProcess::ReadUntil(
    const std::function<bool(const nlohmann::json&)>& done, Millis timeout,
    std::vector<nlohmann::json>* seen) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    auto line = ReadJson(left.count() > 0 ? left : Millis(0));
    if (!line) return std::nullopt;
    if (seen) seen->push_back(*line);
    if (done(*line)) return line;
  }
}

std::optional<int> PipedProcess::Wait(Millis timeout) {
  if (reaped_) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(Millis(5));
  }
}

void PipedProcess::Kill(int signal_number) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal_number);
}

std::vector<std::string> InheritEnv(const std::vector<std::string>& names) {
  std::vector<std::string> env;
  for (const auto& name : names) {
    if (const char* value = std::getenv(name.c_str())) env.push_back(name + "=" + value);
  }
  return env;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace hotplex::testing
