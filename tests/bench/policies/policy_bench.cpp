// policy_bench: command-firewall decisions per second, single thread, over the
// dangerous + everyday corpora at the default policy. Also times DecideTool
// for Bash (JSON input) and for a confined Read.
//
//   policy_bench [SECONDS]      (default 3 s per measurement)
// Prints one line per measurement and "policy_bench: decisions_per_second=N".
// Rates are given per second of wall time and per second of this thread's CPU
// time; the target is checked on CPU time, which other processes on a shared
// machine do not distort. Exit status 1 if below the 200,000/s target.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policies/policy_loader.hpp"
#include "tests/unit/policies/corpus.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace pol = hotplex::policies;

constexpr double kTarget = 200000;

double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Rate {
  double wall, cpu;
};

template <class Fn>
Rate Measure(const char* name, std::size_t items, double seconds, Fn&& fn) {
  for (std::size_t i = 0; i < items; ++i) fn(i);  // warm-up: DFA states and scratch buffers
  std::size_t done = 0;
  const double cpu_start = ThreadCpuSeconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::size_t sink = 0;
  while (Clock::now() < deadline) {
    for (std::size_t i = 0; i < items; ++i) sink += fn(i);
    done += items;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = ThreadCpuSeconds() - cpu_start;
  const Rate rate{static_cast<double>(done) / elapsed, static_cast<double>(done) / cpu};
  std::printf(
      "%-32s %9.0f/s wall  %9.0f/s cpu  (%zu decisions, %.2f s wall, %.2f s cpu, %.2f us each, "
      "checksum %zu)\n",
      name, rate.wall, rate.cpu, done, elapsed, cpu, 1e6 / rate.cpu, sink);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const std::string dir = std::string(HOTPLEX_SOURCE_DIR) + "/policies";
  auto loaded = pol::LoadPolicyFile(dir + "/default.yaml", dir);
  if (!loaded) {
    std::fputs(pol::FormatDiagnostics(loaded.error()).c_str(), stderr);
    return 2;
  }
  const auto policy = *loaded;
  std::vector<std::string> corpus = hotplex::policies::testing::ReadCorpus("dangerous.txt");
  const auto everyday = hotplex::policies::testing::ReadCorpus("everyday.txt");
  corpus.insert(corpus.end(), everyday.begin(), everyday.end());
  std::vector<nlohmann::json> inputs;
  for (const auto& c : corpus) inputs.push_back({{"command", c}});
  const std::string workdir = std::filesystem::current_path().string();
  const nlohmann::json read_input = {{"file_path", "src/main.cpp"}};

  std::printf("policy_bench: %zu commands, %zu firewall rules, single thread\n", corpus.size(),
              policy->FirewallRuleCount());
  const Rate rate = Measure("CheckCommand (corpus)", corpus.size(), seconds, [&](std::size_t i) {
    return static_cast<std::size_t>(policy->CheckCommand(corpus[i]).verdict);
  });
  Measure("DecideTool Bash (corpus)", corpus.size(), seconds, [&](std::size_t i) {
    return static_cast<std::size_t>(policy->DecideTool("Bash", inputs[i], workdir).verdict);
  });
  Measure("DecideTool Read (confined path)", 1000, seconds, [&](std::size_t) {
    return static_cast<std::size_t>(policy->DecideTool("Read", read_input, workdir).verdict);
  });
  std::printf(
      "policy_bench: decisions_per_second=%.0f (cpu time; %.0f per wall second) target=%.0f %s\n",
      rate.cpu, rate.wall, kTarget, rate.cpu >= kTarget ? "PASS" : "BELOW TARGET");
  return rate.cpu >= kTarget ? 0 : 1;
}
