// sandbox_bench: spawn-to-exit latency of /bin/true in a full sandbox (all
// namespaces, seccomp, cgroup with limits), three ways in one run:
//   library   Backend::Launch + Wait in this process (what the supervisor does)
//   hotplexd  `hotplexd run -- /bin/true` (fork+exec of the front end included)
//   bwrap     `bwrap --unshare-all --die-with-parent` with equivalent binds
// Prints median and p99 of each and the ratios against bwrap.
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "sandbox/backend.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr uid_t kUid = 61002;

struct Stats {
  double median_ms = 0;
  double p99_ms = 0;
};

Stats Measure(int runs, const std::function<bool()>& once) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (!once()) {
      std::fprintf(stderr, "run %d failed\n", i);
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2],
          ms[std::min(ms.size() - 1, static_cast<std::size_t>(ms.size() * 0.99))]};
}

bool SpawnAndWait(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  char tmpl[] = "/tmp/hotplex-bench-XXXXXX";
  const std::string workdir = ::mkdtemp(tmpl);
  if (::chown(workdir.c_str(), kUid, kUid) != 0 || ::chmod(workdir.c_str(), 0755) != 0) return 1;

  auto backend = hotplex::sandbox::MakeNamespaceBackend();
  if (!backend) {
    std::fprintf(stderr, "%s\n", backend.error().Describe().c_str());
    return 1;
  }
  hotplex::sandbox::SandboxSpec spec;
  spec.argv = {"/bin/true"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.workdir = workdir;
  spec.identity.host_uid = kUid;
  spec.identity.host_gid = kUid;

  const Stats library = Measure(runs, [&] {
    auto sandbox = (*backend)->Launch(spec);
    return sandbox && (*sandbox)->Wait().NormalExit();
  });
  const std::string uid = std::to_string(kUid);
  const Stats hotplexd = Measure(runs, [&] {
    return SpawnAndWait({HOTPLEX_BINARY_DIR "/hotplexd", "run", "--workdir", workdir, "--uid", uid,
                         "--gid", uid, "--", "/bin/true"});
  });
  std::vector<std::string> bwrap = {"/usr/bin/bwrap", "--unshare-all", "--die-with-parent",
                                    "--ro-bind",      "/usr",          "/usr",
                                    "--proc",         "/proc",         "--dev",
                                    "/dev",           "--tmpfs",       "/tmp",
                                    "--bind",         workdir,         workdir,
                                    "--chdir",        workdir};
  for (const char* link : {"/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"}) {
    char target[256];
    const ssize_t n = ::readlink(link, target, sizeof target - 1);
    if (n > 0)
      bwrap.insert(bwrap.end(),
                   {"--symlink", std::string(target, static_cast<std::size_t>(n)), link});
  }
  for (const char* etc : {"/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/resolv.conf",
                          "/etc/nsswitch.conf"}) {
    bwrap.insert(bwrap.end(), {"--ro-bind", etc, etc});
  }
  bwrap.insert(bwrap.end(), {"--", "/bin/true"});
  const Stats bw = Measure(runs, [&] { return SpawnAndWait(bwrap); });
  ::rmdir(workdir.c_str());

  std::printf("spawn-to-exit of /bin/true, %d runs each\n", runs);
  std::printf("%-22s %10s %10s\n", "", "median ms", "p99 ms");
  std::printf("%-22s %10.2f %10.2f\n", "hotplex library", library.median_ms, library.p99_ms);
  std::printf("%-22s %10.2f %10.2f\n", "hotplexd run", hotplexd.median_ms, hotplexd.p99_ms);
  std::printf("%-22s %10.2f %10.2f\n", "bwrap --unshare-all", bw.median_ms, bw.p99_ms);
  std::printf("ratio hotplexd run / bwrap (median): %.2f (target <= 1.0)\n",
              hotplexd.median_ms / bw.median_ms);
  std::printf("ratio library / bwrap (median): %.2f (target <= 0.5)\n",
              library.median_ms / bw.median_ms);
  return 0;
}
