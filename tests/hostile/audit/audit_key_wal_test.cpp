// Issue 14 item 4, the rest: the audit key file is refused when another uid
// owns it or others may read it (the daemon names the file and the fix), and
// the WAL checkpointer runs: under load audit.db grows while the WAL stays
// bounded, and a clean stop leaves no WAL content behind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/hostile/audit/audit_attacker.hpp"

namespace hotplex::testing {
namespace {
using namespace audit_attack;

TEST(AuditKeyFile, WrongModeOrOwnerRefusesToStartNamingTheFile) {
  ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
  HostileDaemon daemon;
  ASSERT_FALSE(daemon.Start());
  Generate(daemon, 3);
  daemon.Stop();
  const std::string key = daemon.StateDir() + "/audit-key";
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0) << "no audit key file at " << key;
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  auto refused = daemon.Start();
  ASSERT_TRUE(refused) << "the daemon started with a 0644 audit key";
  EXPECT_NE(refused->find(key), std::string::npos) << *refused;
  EXPECT_NE(refused->find("chmod"), std::string::npos) << *refused;  // the fix is named

  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  ASSERT_EQ(::chown(key.c_str(), HostileDaemon::kUidA, HostileDaemon::kUidA), 0);
  refused = daemon.Start();
  ASSERT_TRUE(refused) << "the daemon started with an audit key owned by uid 60001";
  EXPECT_NE(refused->find(key), std::string::npos) << *refused;
  EXPECT_NE(refused->find("chown"), std::string::npos) << *refused;

  ASSERT_EQ(::chown(key.c_str(), 0, 0), 0);
  ASSERT_FALSE(daemon.Start()) << "the repaired key file is accepted again";
  EXPECT_EQ(RouteVerify(daemon).value("ok", false), true) << RouteVerify(daemon).dump();
}

TEST(AuditCheckpointer, WalIsCheckpointedUnderLoadAndAtShutdown) {
  ASSERT_EQ(::geteuid(), 0u) << "the hostile suite runs as root (CI does)";
  HostileDaemon daemon;
  ASSERT_FALSE(daemon.Start());
  const std::string db = daemon.StateDir() + "/audit.db";
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> max_wal{0};
  std::thread sampler([&] {
    for (int i = 0; i < 6000 && !done; ++i) {  // bounded: at most 60 s
      max_wal = std::max<std::int64_t>(max_wal, FileSize(db + "-wal"));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  const auto start = std::chrono::steady_clock::now();
  Generate(daemon, 1500);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  done = true;
  sampler.join();
  const std::int64_t db_bytes = FileSize(db);
  const std::int64_t wal_bytes = FileSize(db + "-wal");
  std::cout << "1500 admin calls in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms: audit.db " << db_bytes << " B, WAL now " << wal_bytes << " B, WAL max "
            << max_wal << " B\n";
  EXPECT_GT(db_bytes, 128 * 1024) << "the records never reached audit.db (no checkpoint ran)";
  // The writer waits for a RESTART at 16 MiB of WAL; the group commit that crosses
  // it and the sampler's 10 ms granularity may overshoot by a little, not by more.
  EXPECT_LE(max_wal, 20 << 20) << "the WAL grew without bound";
  // Quiet for a while: the checkpointer has copied everything and emptied the
  // WAL (old page versions left in it would come back if it were cut short).
  // Polled, bounded: a loaded CI machine may take longer than the idle period.
  std::int64_t quiet = -2;
  const auto quiet_start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50 && (quiet = FileSize(db + "-wal")) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout << "after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - quiet_start)
                   .count()
            << " ms without records: WAL " << quiet << " B\n";
  EXPECT_LE(quiet, 0) << "an idle WAL still holds frames";
  daemon.Stop();
  const std::int64_t after_stop = FileSize(db + "-wal");
  std::cout << "after a clean stop: audit.db " << FileSize(db) << " B, WAL " << after_stop
            << " B (-1 = removed)\n";
  EXPECT_LE(after_stop, 0) << "WAL content left after a clean stop";
}

}  // namespace
}  // namespace hotplex::testing
