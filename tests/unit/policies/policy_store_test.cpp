// PolicyStore: a directory of policies; reload is a pointer swap and a broken
// new version keeps the old one in force.
#include "policies/policy_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/temp_dir.hpp"

namespace hotplex::policies {
namespace {

using hotplex::testing::TempDir;

TEST(PolicyStore, LoadsEveryFileAndTheBuiltinDefault) {
  TempDir dir;
  dir.Write("team-a.yaml", "sandbox: {limits: {pids: 64}}\n");
  dir.Write("team-b.yml", "extends: team-a\n");
  auto store = PolicyStore::Open(dir.Path());
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->Names(), (std::vector<std::string>{"default", "team-a", "team-b"}));
  EXPECT_EQ((*store)->Get("team-b")->Spec().sandbox.limits.pids, 64u);
  EXPECT_EQ((*store)->Get("nope"), nullptr);
}

TEST(PolicyStore, EmptyDirectoryNameMeansBuiltinDefaultOnly) {
  auto store = PolicyStore::Open("");
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->Names(), (std::vector<std::string>{"default"}));
}

TEST(PolicyStore, RefusesAMissingDirectory) {
  EXPECT_FALSE(PolicyStore::Open("/nonexistent/hotplex/policies"));
}

TEST(PolicyStore, BrokenNewVersionKeepsTheOldOneInForce) {
  TempDir dir;
  dir.Write("team.yaml", "sandbox: {limits: {pids: 64}}\n");
  auto store = std::move(*PolicyStore::Open(dir.Path()));
  const auto before = store->Get("team");
  dir.Write("team.yaml", "sandbox: {limits: {pids: lots}}\n");
  const ReloadReport broken = store->Reload();
  EXPECT_EQ(broken.failed, (std::vector<std::string>{"team"}));
  ASSERT_EQ(broken.diagnostics.size(), 1u);
  EXPECT_EQ(broken.diagnostics[0].path, "sandbox.limits.pids");
  EXPECT_EQ(store->Get("team"), before);  // same object: nothing swapped
  dir.Write("team.yaml", "sandbox: {limits: {pids: 32}}\n");
  EXPECT_TRUE(store->Reload().Ok());
  EXPECT_NE(store->Get("team"), before);
  EXPECT_EQ(store->Get("team")->Spec().sandbox.limits.pids, 32u);
  EXPECT_EQ(before->Spec().sandbox.limits.pids, 64u);  // holders keep their version
}

TEST(PolicyStore, WatcherReloadsChangedFiles) {
  TempDir dir;
  dir.Write("team.yaml", "sandbox: {limits: {pids: 64}}\n");
  auto store = std::move(*PolicyStore::Open(dir.Path()));
  std::atomic<int> reports{0};
  store->SetReloadListener([&](const ReloadReport&) { ++reports; });
  store->StartWatching(std::chrono::milliseconds(20));
  dir.Write("team.yaml", "sandbox: {limits: {pids: 65}}  # changed size too\n");
  dir.Write("new.yaml", "description: added\n");
  bool reloaded = false;
  for (int i = 0; i < 250 && !reloaded; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reloaded =
        store->Get("new") != nullptr && store->Get("team")->Spec().sandbox.limits.pids == 65u;
  }
  store->StopWatching();
  EXPECT_TRUE(reloaded);
  EXPECT_GE(reports.load(), 1);
}

}  // namespace
}  // namespace hotplex::policies
