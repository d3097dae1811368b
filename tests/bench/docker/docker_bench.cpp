// Session create-to-ready for the docker backend, side by side with a plain
// `docker run --rm` of the same image: the time from asking for a sandbox to
// reading the payload's first output line ("ready"). Teardown is not timed.
//
//   docker_bench [N] [IMAGE]     (default 20, hotplex/sandbox-test)
// The warm pool is measured through the API (tests/bench/supervisor, docker part).
// Re-adoption (reconcile: adopt): a restarted backend's start-up reconcile plus
// Reattach of a detached container until it answers a line, beside a cold launch
// of the same payload answering the same line.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "sandbox/docker/docker_backend.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using hotplex::sandbox::SandboxSpec;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

bool ReadReady(int fd) {
  char buf[16];
  std::string got;
  while (got.find('\n') == std::string::npos) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got.rfind("ready", 0) == 0;
}

double BackendOnce(hotplex::sandbox::Backend& backend, const std::string& workdir) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return -1;
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  SandboxSpec spec;
  spec.argv = {"/bin/echo", "ready"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.workdir = workdir;
  spec.identity.host_uid = 61000;
  spec.identity.host_gid = 61000;
  spec.stdio = {devnull, out[1], out[1]};
  const auto start = Clock::now();
  auto box = backend.Launch(spec);
  ::close(out[1]);
  ::close(devnull);
  if (!box) {
    std::fprintf(stderr, "launch: %s\n", box.error().Describe().c_str());
    ::close(out[0]);
    return -1;
  }
  const bool ok = ReadReady(out[0]);
  const auto ready = Clock::now();
  (*box)->Wait();
  box->reset();
  ::close(out[0]);
  return ok ? Ms(ready - start) : -1;
}

double DockerRunOnce(const std::string& image) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<std::string> args = {"docker", "run",         "--rm", "--network", "none",
                                   "-u",     "61000:61000", image,  "/bin/echo", "ready"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  const auto start = Clock::now();
  const int rc = posix_spawnp(&pid, "docker", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return -1;
  }
  const bool ok = ReadReady(out[0]);
  const auto ready = Clock::now();
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out[0]);
  return ok ? Ms(ready - start) : -1;
}

// The payload answers each stdin line with "ready <line>".
const std::vector<std::string> kAnswerer = {"/bin/sh", "-c",
                                            "while read -r l; do echo \"ready $l\"; done"};

SandboxSpec AnswererSpec(const std::string& workdir, const std::string& id) {
  SandboxSpec spec;
  spec.id = id;
  spec.argv = kAnswerer;
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.workdir = workdir;
  spec.identity.host_uid = 61000;
  spec.identity.host_gid = 61000;
  return spec;
}

struct Pipes {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  bool Open() { return ::pipe2(in, O_CLOEXEC) == 0 && ::pipe2(out, O_CLOEXEC) == 0; }
  void Close() {
    for (int fd : {in[0], in[1], out[0], out[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

bool AskReady(Pipes& p) { return ::write(p.in[1], "x\n", 2) == 2 && ReadReady(p.out[0]); }

// Cold: launch + first answer. Adopt: launch, answer, detach (not timed), then
// a new backend (its reconcile) + Reattach + the next answer (timed).
bool AdoptOnce(const hotplex::sandbox::DockerOptions& options, const std::string& workdir, int i,
               double& cold_ms, double& adopt_ms) {
  auto first = hotplex::sandbox::DockerBackend::Create(options);
  if (!first) return std::fprintf(stderr, "%s\n", first.error().Describe().c_str()), false;
  Pipes p;
  if (!p.Open()) return false;
  SandboxSpec spec = AnswererSpec(workdir, "bench" + std::to_string(i));
  spec.stdio = {p.in[0], p.out[1], p.out[1]};
  const auto start = Clock::now();
  auto box = (*first)->Launch(spec);
  if (!box || !AskReady(p)) return p.Close(), false;
  cold_ms = Ms(Clock::now() - start);
  const auto quiet_since = std::chrono::system_clock::now();
  (*box)->Detach();
  box->reset();
  first->reset();
  const auto restart = Clock::now();
  auto second = hotplex::sandbox::DockerBackend::Create(options);
  if (!second) return p.Close(), false;
  auto again = (*second)->Reattach(spec, quiet_since);
  if (!again) std::fprintf(stderr, "reattach: %s\n", again.error().Describe().c_str());
  const bool ok = again && AskReady(p);
  adopt_ms = Ms(Clock::now() - restart);
  if (again) {
    (*again)->Kill();
    (*again)->Wait();
    again->reset();
  }
  p.Close();
  return ok;
}

void Report(const char* name, std::vector<double> ms, double baseline) {
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf("%-32s median %8.1f ms  p10 %8.1f  p90 %8.1f  ratio to docker run %.2f\n", name,
              median, ms[ms.size() / 10], ms[ms.size() * 9 / 10],
              baseline > 0 ? median / baseline : 1.0);
}

double Median(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  hotplex::sandbox::DockerOptions options;
  options.default_image = argc > 2 ? argv[2] : "hotplex/sandbox-test";
  options.instance = "bench-" + std::to_string(::getpid());
  auto backend = hotplex::sandbox::MakeDockerBackend(options);
  if (!backend)
    return std::fprintf(stderr, "docker_bench: %s\n", backend.error().Describe().c_str()), 1;
  char tmpl[] = "/tmp/hotplex-bench-XXXXXX";
  const std::string workdir = ::mkdtemp(tmpl);
  if (::chown(workdir.c_str(), 61000, 61000) != 0) return 1;
  std::vector<double> cold, run;
  // Interleaved so that both see the same machine load.
  for (int i = 0; i < n; ++i) {
    const double c = BackendOnce(**backend, workdir);
    const double r = DockerRunOnce(options.default_image);
    if (c < 0 || r < 0) return std::fprintf(stderr, "docker_bench: a run failed\n"), 1;
    cold.push_back(c);
    run.push_back(r);
  }
  std::printf("create-to-ready, %d runs each, image %s\n", n, options.default_image.c_str());
  const double baseline = Median(run);
  Report("docker run --rm (CLI)", run, baseline);
  Report("docker backend, cold", cold, baseline);
  std::vector<double> answer_cold, adopt;
  hotplex::sandbox::DockerOptions adopt_options = options;
  adopt_options.reconcile = hotplex::sandbox::DockerReconcile::kAdopt;
  for (int i = 0; i < n; ++i) {
    double c = 0, a = 0;
    if (!AdoptOnce(adopt_options, workdir, i, c, a)) {
      return std::fprintf(stderr, "docker_bench: an adopt run failed\n"), 1;
    }
    answer_cold.push_back(c);
    adopt.push_back(a);
  }
  std::printf("restart recovery, a stdin line answered, %d runs each\n", n);
  Report("cold launch + answer", answer_cold, baseline);
  Report("reconcile + reattach + answer", adopt, baseline);
  std::printf("reattach / cold launch: %.3f\n", Median(adopt) / Median(answer_cold));
  ::rmdir(workdir.c_str());
  return 0;
}
