// Create-to-ready with the namespace backend (the real jail), cold and from the
// warm pool, side by side: tenant `cold` has no pool, tenant `warm` keeps
// kPool sessions pre-started. Warm creates are paced: each waits until the pool
// is full again (AgentProcess::LiveCount() counts this process's agents), so
// the figure is the adoption, not the refill rate. The same for the docker
// backend (image hotplex/sandbox-test, whose `claude` is the fake agent), beside a
// plain `docker run --rm` of that image.
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/daemon.hpp"
#include "policies/policy_loader.hpp"
#include "sandbox/backend.hpp"
#include "sandbox/docker/docker_backend.hpp"
#include "supervisor/agent_process.hpp"
#include "supervisor/api_key.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/bench/supervisor/bench_client.hpp"
#include "tests/support/piped_process.hpp"

namespace hotplex::bench {
namespace {

namespace sv = hotplex::supervisor;

constexpr std::size_t kPool = 4;

bool WaitForAgents(std::size_t n) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (sv::AgentProcess::LiveCount() != n && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return sv::AgentProcess::LiveCount() == n;
}

std::vector<double> Measure(int port, const std::string& key, int n, bool warm) {
  std::vector<double> ms;
  Ws ws(port, key);
  for (int i = 0; i < n; ++i) {
    // Warm: the pool is full and its agents answered `initialize`.
    if (warm && WaitForAgents(kPool)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string id;
    ms.push_back(CreateUntilReady(port, key, ws, id));
    Delete(port, key, "/v1/sessions/" + id);
  }
  return ms;
}

struct ColdWarm {
  std::vector<double> cold, warm;
  bool ok = false;
};

// One daemon with `backend`, two tenants (`cold` without a pool, `warm` with
// kPool), n creates each.
ColdWarm RunColdWarm(const char* label, sandbox::Backend& backend, const std::string& policy_yaml,
                     std::vector<std::string> claude_command,
                     std::vector<sandbox::BindMount> extra_mounts, int n) {
  ColdWarm out;
  char tmpl[] = "/tmp/hotplex-bench-ready-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ::chmod(dir.c_str(), 0711);  // the sandbox uid traverses it to its home
  sv::DaemonConfig config;
  config.state_dir = dir + "/state";
  config.api = {"127.0.0.1", 0};
  config.admin = {"127.0.0.1", 0};
  config.claude_command = std::move(claude_command);
  config.extra_mounts = std::move(extra_mounts);
  config.docker.instance = "hotplex-bench-" + std::to_string(::getpid());
  sv::Tenant cold{"cold", "bench", {sv::HashApiKey("cold-key")}, dir + "/ws/cold", 60000, 60000, 0};
  sv::Tenant warm{"warm", "bench", {sv::HashApiKey("warm-key")}, dir + "/ws/warm", 60001, 60001, 0};
  warm.warm_pool = kPool;
  config.tenants = {cold, warm};
  OnePolicy policies;
  auto loaded = policies::LoadPolicyText(policy_yaml, "bench", "");
  if (!loaded) {
    std::printf("create-to-ready (%s): FAILED, policy: %s\n", label,
                policies::FormatDiagnostics(loaded.error()).c_str());
    return out;
  }
  policies.policy = sv::ToSessionPolicy(*loaded);
  auto daemon = api::Daemon::Start(config, policies, {{backend.Kind(), &backend}});
  if (!daemon) {
    std::printf("create-to-ready (%s): FAILED: %s\n", label, daemon.error().Describe().c_str());
    return out;
  }
  const int port = (*daemon)->ApiPort();
  if (!WaitForAgents(kPool)) std::printf("warning: the warm pool did not fill in 10 s\n");
  out.cold = Measure(port, "cold-key", n, false);
  out.warm = Measure(port, "warm-key", n, true);
  out.ok = true;
  daemon->reset();
  std::filesystem::remove_all(dir);
  return out;
}

void PrintColdWarm(const ColdWarm& r) {
  std::printf("  cold:           p50 %8.3f ms  p99 %8.3f ms\n", Percentile(r.cold, 0.5),
              Percentile(r.cold, 0.99));
  std::printf("  warm (pool %zu): p50 %8.3f ms  p99 %8.3f ms  (cold/warm p50 = %.0fx)\n", kPool,
              Percentile(r.warm, 0.5), Percentile(r.warm, 0.99),
              Percentile(r.cold, 0.5) / std::max(1e-9, Percentile(r.warm, 0.5)));
}

// `docker run --rm -i IMAGE claude <flags>` (plain, no hardening), timed from the
// spawn of the CLI to the agent's answer to the same `initialize` request the
// supervisor sends: the create-to-ready of a user who runs the image by hand.
double DockerRunOnce(const std::string& image) {
  testing::ProcessSpec spec;
  spec.argv = {"/usr/bin/docker",
               "run",
               "--rm",
               "-i",
               "--network",
               "none",
               image,
               "claude",
               "-p",
               "--input-format",
               "stream-json",
               "--output-format",
               "stream-json",
               "--verbose",
               "--permission-prompt-tool",
               "stdio"};
  spec.env = testing::InheritEnv({"PATH", "DOCKER_HOST"});
  const auto start = Clock::now();
  auto proc = testing::PipedProcess::Spawn(spec);
  if (!proc) return -1;
  proc->WriteJson({{"type", "control_request"},
                   {"request_id", "bench-init"},
                   {"request", {{"subtype", "initialize"}}}});
  auto answer =
      proc->ReadUntil([](const json& m) { return m.value("type", "") == "control_response"; },
                      std::chrono::seconds(60));
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  proc->CloseStdin();
  if (!proc->Wait(std::chrono::seconds(30))) proc->Kill(SIGKILL);
  return answer ? ms : -1;
}

}  // namespace

void CreateToReadyNamespace(int n) {
  auto backend = sandbox::MakeNamespaceBackend();
  if (!backend) {
    std::printf("create-to-ready (namespace): FAILED, no namespace backend: %s\n",
                backend.error().Describe().c_str());
    return;
  }
  const std::string bin = std::string(HOTPLEX_BINARY_DIR) + "/tests/bin";
  auto r = RunColdWarm("namespace", **backend, kUncappedPolicy, {bin + "/fake-agent"},
                       {{bin, "", sandbox::MountMode::kReadOnly}}, n);
  if (!r.ok) return;
  std::printf(
      "create-to-ready, fake agent, namespace backend, n=%d each (POST /v1/sessions until "
      "the `ready` status over WebSocket):\n",
      n);
  PrintColdWarm(r);
}

void CreateToReadyDocker(int n, const std::string& image) {
  sandbox::DockerOptions options;
  options.instance = "hotplex-bench-" + std::to_string(::getpid());
  auto backend = sandbox::MakeDockerBackend(options);
  if (!backend) {
    std::printf("create-to-ready (docker): FAILED, no docker backend: %s\n",
                backend.error().Describe().c_str());
    return;
  }
  const std::string policy =
      std::string(kUncappedPolicy) + "  backend: docker\n  image: " + image + "\n";
  auto r = RunColdWarm("docker", **backend, policy, {"claude"}, {}, n);
  if (!r.ok) return;
  std::vector<double> plain;
  for (int i = 0; i < n; ++i) {
    const double ms = DockerRunOnce(image);
    if (ms < 0) {
      std::printf("create-to-ready (docker run --rm): FAILED (no answer to initialize)\n");
      return;
    }
    plain.push_back(ms);
  }
  std::printf(
      "create-to-ready, fake agent (%s), docker backend, n=%d each (POST /v1/sessions "
      "until the `ready` status over WebSocket; docker run: spawn until the answer to "
      "initialize):\n",
      image.c_str(), n);
  PrintColdWarm(r);
  std::printf(
      "  docker run --rm: p50 %8.3f ms  p99 %8.3f ms  (warm/docker-run p50 = 1/%.0f, "
      "cold/docker-run p50 = %.2f)\n",
      Percentile(plain, 0.5), Percentile(plain, 0.99),
      Percentile(plain, 0.5) / std::max(1e-9, Percentile(r.warm, 0.5)),
      Percentile(r.cold, 0.5) / std::max(1e-9, Percentile(plain, 0.5)));
}

}  // namespace hotplex::bench
