// Test harness: launches real namespace sandboxes with captured stdout/stderr.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sandbox/backend.hpp"

namespace hotplex::sandbox::testing {

// Unprivileged host ids the tests map the sandbox user to.
inline constexpr uid_t kTestUid = 61000;
inline constexpr gid_t kTestGid = 61000;
inline constexpr const char* kProbe = "/opt/probe/sandbox-probe";

struct RunResult {
  Outcome outcome;
  std::string out;
  std::string err;
};

class SandboxTest : public ::testing::Test {
 public:
  // Traits read by the conformance suites (conformance_*.hpp) where backends differ
  // by design; a backend fixture deriving from this one redeclares what differs.
  // `cat /etc/shadow` fails with: the jail has no /etc/shadow at all.
  static constexpr const char* kShadowError = "No such file";
  // Host directories such as /var are absent from the jail.
  static constexpr bool kSystemDirsHidden = true;
  // The payload's ids as it sees them: the user namespace maps kTestUid to 1000.
  static constexpr uid_t kPayloadUid = 1000;
  static constexpr gid_t kPayloadGid = 1000;
  // Variables the backend adds to the spec's environment: none.
  static std::vector<std::string> AddedEnv() { return {}; }

 protected:
  void SetUp() override;
  void TearDown() override;

  // A spec for `argv` with the probe directory mounted at /opt/probe.
  SandboxSpec Spec(std::vector<std::string> argv) const;
  RunResult Run(const SandboxSpec& spec);
  RunResult Run(std::vector<std::string> argv) { return Run(Spec(std::move(argv))); }
  // Launches with stdout/stderr captured into the returned pipes' read ends.
  std::unique_ptr<Sandbox> Start(SandboxSpec spec, int* out_fd);

  std::string workdir_;
  std::unique_ptr<Backend> backend_;
};

// Creates a fresh directory under /tmp owned by the given ids.
std::string MakeTempDir(const char* prefix, uid_t uid, gid_t gid);
void RemoveTree(const std::string& path);
std::string ReadAll(int fd);
// Expects a normal exit with status 0, showing the outcome and stderr otherwise.
void ExpectExit0(const RunResult& r);
// The host can still start a process (e.g. while a fork bomb runs in a sandbox).
bool HostCanSpawn();
// Host processes whose command line contains `marker`.
int CountHostProcesses(const std::string& marker);

}  // namespace hotplex::sandbox::testing
