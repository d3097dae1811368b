// Create-to-ready with the namespace backend (the real jail), cold and from the
// warm pool, side by side: tenant `cold` has no pool, tenant `warm` keeps
// kPool sessions pre-started. Warm creates are paced: each waits until the pool
// is full again (AgentProcess::LiveCount() counts this process's agents), so
// the figure is the adoption, not the refill rate.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/daemon.hpp"
#include "policies/policy_loader.hpp"
#include "sandbox/backend.hpp"
#include "supervisor/agent_process.hpp"
#include "supervisor/api_key.hpp"
#include "supervisor/policy_adapter.hpp"
#include "tests/bench/supervisor/bench_client.hpp"

namespace hotplex::bench {
namespace {

namespace sv = hotplex::supervisor;

constexpr std::size_t kPool = 4;
constexpr const char* kPolicy = R"(
extends: default
sandbox:
  limits: {max_sessions: 100000}
)";

class OnePolicy : public sv::PolicySource {
 public:
  sv::SessionPolicyPtr Get(std::string_view) const override { return policy; }
  sv::SessionPolicyPtr policy;
};

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

}  // namespace

void CreateToReadyNamespace(int n) {
  char tmpl[] = "/tmp/hotplex-bench-ns-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ::chmod(dir.c_str(), 0711);  // the sandbox uid traverses it to its home
  auto backend = sandbox::MakeNamespaceBackend();
  if (!backend) {
    std::printf("create-to-ready (namespace): FAILED, no namespace backend: %s\n",
                backend.error().Describe().c_str());
    return;
  }
  const std::string bin = std::string(HOTPLEX_BINARY_DIR) + "/tests/bin";
  sv::DaemonConfig config;
  config.state_dir = dir + "/state";
  config.api = {"127.0.0.1", 0};
  config.admin = {"127.0.0.1", 0};
  config.claude_command = {bin + "/fake-agent"};
  config.extra_mounts = {{bin, "", sandbox::MountMode::kReadOnly}};
  sv::Tenant cold{"cold", "bench", {sv::HashApiKey("cold-key")}, dir + "/ws/cold", 60000, 60000, 0};
  sv::Tenant warm{"warm", "bench", {sv::HashApiKey("warm-key")}, dir + "/ws/warm", 60001, 60001, 0};
  warm.warm_pool = kPool;
  config.tenants = {cold, warm};
  OnePolicy policies;
  policies.policy = sv::ToSessionPolicy(*policies::LoadPolicyText(kPolicy, "bench", ""));
  auto daemon = api::Daemon::Start(config, policies, {{(*backend)->Kind(), backend->get()}});
  if (!daemon) {
    std::printf("create-to-ready (namespace): FAILED: %s\n", daemon.error().Describe().c_str());
    return;
  }
  const int port = (*daemon)->ApiPort();
  if (!WaitForAgents(kPool)) std::printf("warning: the warm pool did not fill in 10 s\n");
  const auto cold_ms = Measure(port, "cold-key", n, false);
  const auto warm_ms = Measure(port, "warm-key", n, true);
  std::printf("create-to-ready, fake agent, namespace backend, n=%d each (POST /v1/sessions until "
              "the `ready` status over WebSocket):\n", n);
  std::printf("  cold:           p50 %7.3f ms  p99 %7.3f ms\n", Percentile(cold_ms, 0.5),
              Percentile(cold_ms, 0.99));
  std::printf("  warm (pool %zu): p50 %7.3f ms  p99 %7.3f ms  (cold/warm p50 = %.0fx)\n", kPool,
              Percentile(warm_ms, 0.5), Percentile(warm_ms, 0.99),
              Percentile(cold_ms, 0.5) / std::max(1e-9, Percentile(warm_ms, 0.5)));
  daemon->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace hotplex::bench
