// Test helpers for driving line-oriented child processes (agents, the CLI) over pipes.
//
// PipedProcess: a child with its stdin and stdout on pipes and its stderr in a file, in a
// process group of its own. Owns the child: the destructor SIGKILLs the group and reaps.
// Thread-safety: one owner thread each.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace hotplex::testing {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // KEY=VALUE; exactly the child's environment
  std::string cwd;               // empty: inherit
  std::string stderr_path;       // empty: /dev/null
};

class PipedProcess {
 public:
  using Json = nlohmann::json;
  using Millis = std::chrono::milliseconds;

  static Result<PipedProcess> Spawn(const ProcessSpec& spec);
  PipedProcess(PipedProcess&& other) noexcept;
  PipedProcess& operator=(PipedProcess&&) = delete;
  ~PipedProcess();

  pid_t Pid() const { return pid_; }
  bool WriteLine(const std::string& line);
  bool WriteJson(const Json& message) { return WriteLine(message.dump()); }
  void CloseStdin() { stdin_.Reset(); }
  // The next stdout line; nullopt on timeout or EOF (see AtEof()).
  std::optional<std::string> ReadLine(Millis timeout);
  // The next stdout line that parses as JSON (others are skipped).
  std::optional<Json> ReadJson(Millis timeout);
  // Reads JSON lines until `done` holds for one (returned); every line read, that one
  // included, is appended to `seen` when given. nullopt on timeout/EOF.
  std::optional<Json> ReadUntil(const std::function<bool(const Json&)>& done, Millis timeout,
                                std::vector<Json>* seen = nullptr);
  bool AtEof() const { return eof_ && buffer_.empty(); }
  // Waits for the child to end; its wait status, or nullopt on timeout.
  std::optional<int> Wait(Millis timeout);
  void Kill(int signal_number);

 private:
  PipedProcess(pid_t pid, UniqueFd in, UniqueFd out)
      : pid_(pid), stdin_(std::move(in)), stdout_(std::move(out)) {}

  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd stdin_;
  UniqueFd stdout_;
  std::string buffer_;
  bool eof_ = false;
};

// Copies the current environment entries named in `names` as KEY=VALUE.
std::vector<std::string> InheritEnv(const std::vector<std::string>& names);
std::string ReadFile(const std::string& path);

}  // namespace hotplex::testing
