// hotplexd serve: the multi-tenant daemon (HTTP/SSE/WebSocket API over
// sandboxed agent sessions). Parses the command line and the config, opens the
// policy directory, picks the sandbox backends and runs a Daemon until
// SIGTERM/SIGINT.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "api/cli/cli.hpp"
#include "api/daemon.hpp"
#include "common/argv.hpp"
#include "common/log_line.hpp"
#include "policies/policy_store.hpp"
#include "sandbox/backend.hpp"
#include "sandbox/docker/docker_backend.hpp"
#include "supervisor/daemon_process.hpp"
#include "supervisor/local_tenant.hpp"
#include "supervisor/policy_adapter.hpp"

namespace hotplex::cli {
namespace {

namespace sv = supervisor;

constexpr const char* kUsage =
    "usage: hotplexd serve [--config FILE] [--state-dir DIR] [--listen HOST:PORT]\n"
    "                      [--admin-listen HOST:PORT] [--policy-dir DIR]\n"
    "                      [--admin-tls-cert FILE --admin-tls-key FILE] [--admin-insecure]\n\n"
    "Runs the HotPlex daemon: agent sessions in sandboxes, served over HTTP, SSE and\n"
    "WebSocket. Without --config it listens on 127.0.0.1:8080 (API) and 127.0.0.1:9080\n"
    "(admin API, /metrics, /healthz, /readyz: api/ADMIN.md), keeps its state in ./var/hotplex\n"
    "and serves one local tenant whose API key is generated on first start, like the admin\n"
    "token (<state dir>/admin-token). A non-loopback admin address needs TLS\n"
    "(--admin-tls-cert/--admin-tls-key) or --admin-insecure. See api/CONFIG.md.\n";

struct ServeArgs {
  std::string config_file;
  std::string state_dir;
  std::string listen;
  std::string admin_listen;
  std::string policy_dir;
  std::string admin_tls_cert;
  std::string admin_tls_key;
  bool admin_insecure = false;
  bool help = false;
};

Result<ServeArgs> ParseArgs(int argc, char** argv) {
  ServeArgs args;
  ArgvParser parser;
  parser.Switch({"--help", "-h"}, args.help)
      .Switch({"--admin-insecure"}, args.admin_insecure)
      .Value({"--config"}, args.config_file)
      .Value({"--state-dir"}, args.state_dir)
      .Value({"--listen"}, args.listen)
      .Value({"--admin-listen"}, args.admin_listen)
      .Value({"--policy-dir"}, args.policy_dir)
      .Value({"--admin-tls-cert"}, args.admin_tls_cert)
      .Value({"--admin-tls-key"}, args.admin_tls_key);
  HOTPLEX_TRY(const auto rest, parser.Parse(ArgsOf(argc, argv)));
  if (!rest.empty()) return MakeError("unexpected argument '" + rest[0] + "'");
  return args;
}

// The config file (or the embedded default), then the command line on top.
Result<sv::DaemonConfig> BuildConfig(const ServeArgs& args) {
  sv::DaemonConfig config;
  if (!args.config_file.empty()) {
    HOTPLEX_TRY(config, sv::LoadDaemonConfig(args.config_file));
  }
  if (!args.state_dir.empty()) config.state_dir = args.state_dir;
  if (!args.policy_dir.empty()) config.policy_dir = args.policy_dir;
  if (!args.admin_tls_cert.empty()) config.admin_tls.cert = args.admin_tls_cert;
  if (!args.admin_tls_key.empty()) config.admin_tls.key = args.admin_tls_key;
  if (args.admin_insecure) config.admin_tls.insecure = true;
  if (!args.listen.empty()) {
    HOTPLEX_TRY(config.api, sv::ParseListenAddress(args.listen));
  }
  if (!args.admin_listen.empty()) {
    HOTPLEX_TRY(config.admin, sv::ParseListenAddress(args.admin_listen));
  }
  return config;
}

Result<std::unique_ptr<policies::PolicyStore>> OpenPolicies(const std::string& dir) {
  HOTPLEX_TRY(auto store, policies::PolicyStore::Open(dir));
  for (const auto& d : store->LastReport().diagnostics) {
    LogLine(LogLevel::kWarn, "policy", d.ToString());
  }
  if (!store->Get("default")) return MakeError("no usable 'default' policy");
  store->StartWatching();
  return store;
}

// `api` is the bound address (the configured port may be 0: any free one).
void PrintFirstStartKey(const sv::LocalKey& key, const sv::ListenAddress& api) {
  std::printf(
      "hotplexd: generated the API key of the local tenant (stored in %s, shown only once):\n"
      "  %s\n"
      "try:\n"
      "  curl -H 'Authorization: Bearer %s' http://%s/v1/sessions\n",
      key.path.c_str(), key.key.c_str(), key.key.c_str(), api.ToString().c_str());
}

// docker.instance, else $HOTPLEX_DOCKER_INSTANCE, else derived from the state dir.
Result<std::string> DockerInstanceName(const sv::DaemonConfig& config) {
  if (!config.docker.instance.empty()) return config.docker.instance;
  if (const char* env = std::getenv("HOTPLEX_DOCKER_INSTANCE"); env && *env)
    return std::string(env);
  return sandbox::DockerInstanceForStateDir(config.state_dir);
}

// The state dir, its keys and databases (state_dir.hpp) and the tenants'
// workspace roots, before anything opens them.
hotplex::Status PrepareState(sv::DaemonConfig& config, std::optional<sv::LocalKey>& local_key) {
  HOTPLEX_TRY_STATUS(sv::PrepareStateDir(config.state_dir));
  if (config.tenants.empty()) {
    HOTPLEX_TRY(local_key, sv::EnsureLocalApiKey(config.state_dir));
  }
  HOTPLEX_TRY_STATUS(sv::CompleteTenants(config, local_key ? &*local_key : nullptr));
  return sv::PrepareWorkspaceRoots(config);
}

int Serve(sv::DaemonConfig config) {
  sv::PrepareDaemonProcess();  // umask 077, RLIMIT_NOFILE raised
  std::optional<sv::LocalKey> local_key;
  auto prepared = PrepareState(config, local_key);
  if (!prepared)
    return std::fprintf(stderr, "hotplexd: %s\n", prepared.error().Describe().c_str()), 1;
  auto store = OpenPolicies(config.policy_dir);
  if (!store) return std::fprintf(stderr, "hotplexd: %s\n", store.error().Describe().c_str()), 1;
  sv::PolicyStoreSource policies(**store);
  sv::SessionManager::Backends backends;
  auto namespace_backend = sandbox::MakeNamespaceBackend();
  if (namespace_backend) {
    backends[sandbox::BackendKind::kNamespace] = namespace_backend->get();
  } else {
    LogLine(LogLevel::kWarn, "serve", "namespace sandbox unavailable",
            {{"error", namespace_backend.error().Describe()}});
  }
  // The process backend (no namespaces) is only used by policies that choose
  // `sandbox.backend: process`, which the policy engine accepts only with `unsafe: true`.
  auto process_backend = sandbox::MakeProcessBackend();
  if (process_backend) backends[sandbox::BackendKind::kProcess] = process_backend->get();
  // Docker is optional: without a daemon, policies with `sandbox.backend: docker`
  // fail at session creation with "backend unavailable".
  // Its containers carry io.hotplex.instance=<DockerInstanceName>; the start-up
  // reconcile removes only leftovers with this daemon's name.
  sandbox::DockerOptions docker_options;
  auto instance = DockerInstanceName(config);
  if (!instance)
    return std::fprintf(stderr, "hotplexd: %s\n", instance.error().Describe().c_str()), 1;
  docker_options.instance = *instance;
  docker_options.reconcile = config.docker.reconcile;
  const bool adopt = config.docker.reconcile == sandbox::DockerReconcile::kAdopt;
  auto docker_backend = sandbox::DockerBackend::Create(docker_options);
  if (docker_backend) {
    backends[sandbox::BackendKind::kDocker] = docker_backend->get();
    LogLine(LogLevel::kInfo, "docker",
            "docker sandboxes labelled io.hotplex.instance=" + docker_options.instance +
                "; removed " + std::to_string((*docker_backend)->ReconciledCount()) +
                " left by an earlier run" +
                (adopt ? ", kept " + std::to_string((*docker_backend)->AdoptableCount()) +
                             " running to re-adopt"
                       : ""));
  } else {
    LogLine(LogLevel::kWarn, "docker", "docker sandbox unavailable",
            {{"error", docker_backend.error().Describe()}});
  }
  auto daemon = api::Daemon::Start(config, policies, backends, store->get());
  if (!daemon) return std::fprintf(stderr, "hotplexd: %s\n", daemon.error().Describe().c_str()), 1;
  if (docker_backend && adopt) {
    LogLine(LogLevel::kInfo, "docker",
            "docker reconcile adopt: re-adopted " +
                std::to_string((*docker_backend)->ReattachedCount()) + " agents; removed " +
                std::to_string((*docker_backend)->ReconciledCount()) + " containers in all");
  }
  std::printf("hotplexd: serving the API on %s:%u, admin on %s:%u, state in %s\n",
              config.api.host.c_str(), (*daemon)->ApiPort(), config.admin.host.c_str(),
              (*daemon)->AdminPort(), config.state_dir.c_str());
  if (local_key && local_key->generated) {
    PrintFirstStartKey(*local_key, {config.api.host, (*daemon)->ApiPort()});
  }
  if (const auto& token = (*daemon)->AdminCredentials(); !token.Generated().empty()) {
    std::printf("hotplexd: generated the admin token (stored in %s, shown only once):\n  %s\n",
                token.Path().c_str(), token.Generated().c_str());
  }
  std::fflush(stdout);
  (*daemon)->WaitForSignal();
  std::printf("hotplexd: stopped\n");
  return 0;
}

}  // namespace

int ServeMain(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  if (!args) {
    std::fprintf(stderr, "hotplexd serve: %s\n%s", args.error().Describe().c_str(), kUsage);
    return 2;
  }
  if (args->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto config = BuildConfig(*args);
  if (!config) {
    std::fprintf(stderr, "hotplexd serve: %s\n", config.error().Describe().c_str());
    return 2;
  }
  return Serve(std::move(*config));
}

}  // namespace hotplex::cli
