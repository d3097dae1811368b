// The hostile suite's driver: the real daemon starts with two tenants, and a
// tenant's exec shell runs inside its namespace jail as its own uid, in its
// own workspace. Every other hostile test builds on this.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/hostile/support/hostile_daemon.hpp"

namespace hotplex::testing {
namespace {

TEST(HostileHarness, TenantShellRunsInItsJail) {
  ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
  HostileDaemon daemon;
  auto failed = daemon.Start();
  ASSERT_FALSE(failed) << *failed;
  Reply why;
  const std::string id = daemon.CreateShell("a", "", &why);
  ASSERT_FALSE(id.empty()) << why.status << " " << why.raw;
  auto out = daemon.Sh(id, "pwd; cat /proc/self/uid_map | wc -l; echo hi > made-here");
  ASSERT_TRUE(out) << "no answer from the shell; daemon stderr:\n" << daemon.Stderr();
  EXPECT_NE(out->find(daemon.WorkspaceOf("a")), std::string::npos) << *out;
  EXPECT_TRUE(std::filesystem::exists(daemon.WorkspaceOf("a") + "/made-here"));
  EXPECT_GT(daemon.RssKiB(), 0);
  // The other tenant's key does not reach this session.
  EXPECT_EQ(daemon.Call("GET", "/v1/sessions/" + id, nullptr, "b").status, 404);
}

}  // namespace
}  // namespace hotplex::testing
