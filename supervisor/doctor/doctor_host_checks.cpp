// Doctor checks of the daemon's surroundings: the docker socket, the claude
// CLI, the state directory and the listen ports.
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include "common/unique_fd.hpp"
#include "sandbox/docker/docker_client.hpp"
#include "supervisor/agent_binary.hpp"
#include "supervisor/doctor/doctor_checks.hpp"
#include "supervisor/state_dir.hpp"

extern char** environ;

namespace hotplex::supervisor {
namespace {

constexpr std::size_t kOutputLimit = 4096;
constexpr auto kCommandTimeout = std::chrono::seconds(20);

CheckResult Make(const char* name, CheckStatus status, std::string detail, std::string fix = {}) {
  return CheckResult{name, status, std::move(detail), std::move(fix)};
}

struct CommandOutput {
  int exit_code = -1;  // -1: killed or did not exit normally
  std::string output;  // stdout and stderr, at most kOutputLimit bytes
  bool timed_out = false;
};

// Reads until EOF, the output limit or the deadline.
void ReadUntilDone(int fd, CommandOutput& out) {
  const auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  char buf[1024];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      out.timed_out = true;
      return;
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    out.output.append(buf, static_cast<std::size_t>(std::min<std::size_t>(
                               static_cast<std::size_t>(n), kOutputLimit - out.output.size())));
    if (out.output.size() >= kOutputLimit) return;
  }
}

// Runs argv (PATH lookup for argv[0]) with stdin from /dev/null.
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.Get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.Get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Error("cannot run '" + argv[0] + "'", rc, "posix_spawnp");
  write_end.Reset();
  CommandOutput out;
  ReadUntilDone(read_end.Get(), out);
  if (out.timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  return out;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string ModeText(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

CheckResult CheckDockerSocket() {
  auto client = sandbox::DockerClient::Connect();
  if (!client) {
    return Make("docker", CheckStatus::kWarn, client.error().Describe(),
                "only needed by policies with sandbox.backend: docker — start dockerd "
                "(scripts/docker-setup) or point DOCKER_HOST=unix:///path at its socket");
  }
  std::string engine = "?";
  if (auto version = client->Request("GET", "/version", std::nullopt, std::chrono::seconds(10));
      version && version->status == 200) {
    auto body = nlohmann::json::parse(version->body, nullptr, false);
    if (body.is_object()) engine = body.value("Version", "?");
  }
  return Make("docker", CheckStatus::kPass,
              "socket " + client->SocketPath() + ", Docker Engine " + engine + ", API " +
                  client->ApiVersion() + " (negotiated, hotplexd speaks " +
                  sandbox::kMinApiVersion + ".." + sandbox::kMaxApiVersion + ")");
}

CheckResult CheckClaudeCli(const DaemonConfig& config) {
  const std::string fix =
      "install it with scripts/install-claude (prints the path of `claude`) and set "
      "claude_code.command in the config to that path";
  if (config.claude_command.empty()) {
    return Make("claude_cli", CheckStatus::kFail, "claude_code.command is empty", fix);
  }
  const AgentBinary binary = ResolveClaudeBinary(config);
  if (!binary.problem.empty()) return Make("claude_cli", CheckStatus::kFail, binary.problem, fix);
  auto argv = config.claude_command;
  argv[0] = binary.real_path;
  argv.push_back("--version");
  auto ran = RunCommand(argv);
  if (!ran) return Make("claude_cli", CheckStatus::kFail, ran.error().Describe(), fix);
  if (ran->timed_out || ran->exit_code != 0) {
    return Make("claude_cli", CheckStatus::kFail,
                "'" + binary.real_path + " --version' " +
                    (ran->timed_out ? "timed out" : "exited " + std::to_string(ran->exit_code)) +
                    ": " + FirstLine(ran->output),
                fix);
  }
  const std::string found = FirstLine(ran->output) + "; " + DescribeAgentBinary(binary);
  if (!binary.system && binary.install_dir.empty()) {
    return Make("claude_cli", CheckStatus::kWarn, found,
                "namespace sandboxes will not see it: set claude_code.mount_install_dir: true "
                "or list " +
                    InstallDirOf(binary.real_path) + " in sandbox.extra_mounts");
  }
  return Make("claude_cli", CheckStatus::kPass, found);
}

// The state dir's rules are the daemon's own (supervisor/state_dir.hpp): what
// the start refuses fails here, a mode the start would narrow warns.
CheckResult CheckStateDir(const std::string& state_dir) {
  struct stat st {};
  if (::lstat(state_dir.c_str(), &st) != 0) {
    const Error error = ErrnoError("stat", state_dir);
    if (error.sys_errno != ENOENT) {
      return Make("state_dir", CheckStatus::kFail, error.Describe(),
                  "make " + state_dir + " reachable by the daemon's user");
    }
    return Make("state_dir", CheckStatus::kPass,
                state_dir + " does not exist yet; hotplexd serve creates it (mode 0711)");
  }
  const auto findings = InspectStateDir(state_dir);
  const StateDirFinding* first = findings.empty() ? nullptr : &findings.front();
  for (const auto& f : findings) {
    if (f.refused) {
      first = &f;
      break;
    }
  }
  if (first == nullptr) {
    return Make("state_dir", CheckStatus::kPass,
                state_dir + ": owner uid " + std::to_string(st.st_uid) + ", mode " +
                    ModeText(st.st_mode) + "; keys and databases 0600, nobody else writes them");
  }
  std::string detail = first->path + " " + first->what;
  if (findings.size() > 1) detail += " (and " + std::to_string(findings.size() - 1) + " more)";
  if (first->refused) detail += ": hotplexd serve refuses to start";
  return Make("state_dir", first->refused ? CheckStatus::kFail : CheckStatus::kWarn, detail,
              first->fix);
}

CheckResult CheckPortFree(const std::string& name, const ListenAddress& address) {
  const std::string where = address.ToString();
  if (address.port == 0) return Make(name.c_str(), CheckStatus::kPass, where + ": ephemeral port");
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.host.c_str(), std::to_string(address.port).c_str(), &hints, &found) !=
      0) {
    return Make(name.c_str(), CheckStatus::kFail, where + ": cannot resolve " + address.host,
                "use an IP address of this machine in listen/admin_listen");
  }
  UniqueFd fd(::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    ::freeaddrinfo(found);
    return Make(name.c_str(), CheckStatus::kFail, ErrnoError("socket", where).Describe(),
                "check the process's file descriptor limit");
  }
  const int one = 1;
  // The daemon's acceptor sets SO_REUSEADDR too: TIME_WAIT leftovers are no conflict.
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const int rc = ::bind(fd.Get(), found->ai_addr, found->ai_addrlen);
  const Error error = ErrnoError("bind", where);
  ::freeaddrinfo(found);
  if (rc == 0) return Make(name.c_str(), CheckStatus::kPass, where + ": free");
  const bool in_use = error.sys_errno == EADDRINUSE;
  return Make(
      name.c_str(), CheckStatus::kFail,
      in_use ? where + ": already in use (another hotplexd?)" : error.Describe(),
      in_use
          ? "stop what listens there (ss -ltnp 'sport = :" + std::to_string(address.port) +
                "') or pick another port (" +
                (name == "port_admin" ? "admin_listen / --admin-listen" : "listen / --listen") + ")"
          : "listen on an address of this machine, or on a port >= 1024 as non-root");
}

std::vector<CheckResult> RunDoctorChecks(const DaemonConfig& config) {
  return {CheckKernelVersion(),
          CheckUserNamespaces(),
          CheckCgroups(),
          CheckSeccomp(),
          CheckDockerSocket(),
          CheckClaudeCli(config),
          CheckStateDir(config.state_dir),
          CheckPortFree("port_api", config.api),
          CheckPortFree("port_admin", config.admin)};
}

}  // namespace hotplex::supervisor
