// Fail closed on a full disk: the audit store lives on a 512 KiB tmpfs that a
// filler file exhausts. Needs root (mount); fails, never skips, without it.
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "supervisor/audit/audit_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

namespace hotplex::supervisor {
namespace {
using testing::AppendSync;
using testing::Rec;

class AuditFullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "this test mounts a tmpfs: run it as root";
    ASSERT_EQ(::mount("tmpfs", dir_.Path().c_str(), "tmpfs", 0, "size=512k,mode=0700"), 0)
        << "mount tmpfs on " << dir_.Path() << ": " << std::strerror(errno);
    mounted_ = true;
  }
  void TearDown() override {
    store_.reset();
    if (mounted_) ::umount2(dir_.Path().c_str(), MNT_DETACH);
  }
  // Fills the tmpfs up to the last byte.
  void FillDisk() {
    std::ofstream filler(Filler(), std::ios::binary);
    const std::string block(4096, 'f');
    while (filler.write(block.data(), block.size())) {
    }
  }
  std::string Filler() const { return dir_.Path() + "/filler"; }

  hotplex::testing::TempDir dir_{"hotplex-audit-disk"};
  bool mounted_ = false;
  std::unique_ptr<AuditStore> store_;
};

TEST_F(AuditFullDiskTest, FailsClosedThenRecovers) {
  AuditOptions o;
  o.path = dir_.Path() + "/audit.db";
  o.probe_interval = std::chrono::milliseconds(50);
  auto opened = AuditStore::Open(o);
  ASSERT_TRUE(opened) << opened.error().Describe();
  store_ = std::move(*opened);
  ASSERT_TRUE(AppendSync(*store_, Rec(audit_type::kSessionCreated)));
  FillDisk();
  // Records with a payload larger than the WAL's free pages must hit ENOSPC.
  const std::string blob(16 * 1024, 'x');
  hotplex::Status last;
  for (int i = 0; i < 64 && last; ++i) {
    last = AppendSync(*store_, Rec(audit_type::kToolDecision, "acme", "s", {{"blob", blob}}));
  }
  ASSERT_FALSE(last) << "the store kept writing on a full disk";
  EXPECT_NE(last.error().Describe().find("audit store unavailable"), std::string::npos)
      << last.error().Describe();
  EXPECT_FALSE(store_->Healthy());
  EXPECT_FALSE(store_->Stats().last_error.empty());
  // Still refused while the disk is full.
  EXPECT_FALSE(AppendSync(*store_, Rec(audit_type::kToolDecision, "acme", "s", {{"b", blob}})));
  // Space comes back: the probe heals the store without any new record.
  std::filesystem::remove(Filler());
  for (int i = 0; i < 100 && !store_->Healthy(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(store_->Healthy());
  EXPECT_TRUE(AppendSync(*store_, Rec(audit_type::kToolDecision)));
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;  // the failed batches left no trace in the chain
}

}  // namespace
}  // namespace hotplex::supervisor
