// The store's tamper evidence: rows chained with HMAC under the key file,
// signed witness checkpoints, the migration of a legacy (unkeyed) database,
// and the WAL checkpointer (bounded WAL under load, no WAL after close).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "supervisor/audit/audit_chain.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/audit/hmac_sha256.hpp"
#include "supervisor/audit/sha256.hpp"
#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

namespace hotplex::supervisor {
namespace {
namespace fs = std::filesystem;
using testing::AppendSync;
using testing::RawSql;
using testing::Rec;

std::int64_t Size(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? -1 : static_cast<std::int64_t>(n);
}

class AuditKeyedStoreTest : public ::testing::Test {
 protected:
  std::string Db() const { return dir_.Path() + "/audit.db"; }
  std::string KeyFile() const { return dir_.Path() + "/audit-key"; }
  std::string WitnessFile() const { return dir_.Path() + "/audit-witness"; }
  std::unique_ptr<AuditStore> Open(AuditOptions o = {}) {
    o.path = Db();
    auto store = AuditStore::Open(std::move(o));
    EXPECT_TRUE(store) << (store ? "" : store.error().Describe());
    return store ? std::move(*store) : nullptr;
  }
  void Fill(AuditStore& store, int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(AppendSync(store, Rec(audit_type::kPrompt, "t", "s", {{"i", i}})));
  }
  AuditVerifyReport Offline(const std::string& witness = "") {
    auto r = VerifyAuditDatabase(Db(), "", witness);
    EXPECT_TRUE(r) << r.error().Describe();
    return r ? *r : AuditVerifyReport{};
  }
  // An audit.db as the daemon wrote it before audit keys: plain SHA-256, no keyed_from.
  void WriteLegacyDatabase(int n) {
    { auto store = Open(); }
    fs::remove(KeyFile());
    fs::remove(WitnessFile());
    std::string prev, sql = "DELETE FROM audit_meta;";
    for (int i = 1; i <= n; ++i) {
      AuditRow row{
          i, 1000 + i, "prompt", "t", "s", "policy", "{\"i\":" + std::to_string(i) + "}", prev, ""};
      row.hash = Sha256Hex(AuditCanonicalForm(row));
      sql += "INSERT INTO audit VALUES (" + std::to_string(i) + "," + std::to_string(row.ts_ms) +
             ",'prompt','t','s','policy','" + row.data + "','" + prev + "','" + row.hash + "');";
      prev = row.hash;
    }
    sql += "INSERT INTO audit_meta VALUES ('head_seq','" + std::to_string(n) + "'),('head_hash','" +
           prev + "');";
    RawSql(Db(), sql);
  }
  hotplex::testing::TempDir dir_{"hotplex-audit-keyed"};
};

TEST_F(AuditKeyedStoreTest, RowsAreHmacChainedUnderTheKeyFile) {
  auto store = Open();
  Fill(*store, 3);
  std::string hex = hotplex::testing::ReadFile(KeyFile());
  hex.pop_back();
  auto key = HexDecode(hex);
  ASSERT_TRUE(key && key->size() == 32u);
  const AuditEntry e = store->Query({})->entries[1];
  const std::string canonical = "[\"" + e.prev_hash + "\",2," + std::to_string(e.ts_ms) +
                                ",\"prompt\",\"t\",\"s\",\"policy\",{\"i\":1}]";
  EXPECT_EQ(e.hash, HmacSha256Hex(*key, canonical));
  EXPECT_NE(e.hash, Sha256Hex(canonical));
  auto report = store->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_NE(report->witness.find("checkpoints"), std::string::npos);
}

TEST_F(AuditKeyedStoreTest, TheWitnessGetsStartHeadAndStopCheckpoints) {
  AuditOptions o;
  o.checkpoint_every = 2;
  {
    auto store = Open(o);
    Fill(*store, 5);
  }
  const std::string w = hotplex::testing::ReadFile(WitnessFile());
  EXPECT_EQ(w.rfind("hotplex-audit-checkpoint v1 kind=new seq=0 ", 0), 0u) << w;
  EXPECT_NE(w.find("kind=head seq=2 "), std::string::npos) << w;
  EXPECT_NE(w.find("kind=head seq=4 "), std::string::npos) << w;
  EXPECT_NE(w.find("kind=stop seq=5 "), std::string::npos) << w;
  EXPECT_TRUE(Offline().ok) << Offline().problem;
}

struct Attack {
  const char* name;
  std::string sql;  // run on the stopped store's audit.db (after 10 records)
  std::int64_t bad_seq;
  const char* kind;
};

class AuditKeyedAttack : public AuditKeyedStoreTest,
                         public ::testing::WithParamInterface<Attack> {};

TEST_P(AuditKeyedAttack, IsDetectedOfflineAndOnline) {
  {
    auto store = Open();
    Fill(*store, 10);
  }
  RawSql(Db(), GetParam().sql);
  AuditVerifyReport offline = Offline();
  EXPECT_FALSE(offline.ok);
  EXPECT_EQ(offline.first_bad_seq.value_or(-1), GetParam().bad_seq) << offline.problem;
  EXPECT_EQ(offline.kind, GetParam().kind) << offline.problem;
  auto store = Open();
  auto online = store->Verify();
  ASSERT_TRUE(online);
  EXPECT_FALSE(online->ok);
  EXPECT_EQ(online->first_bad_seq.value_or(-1), GetParam().bad_seq) << online->problem;
}

INSTANTIATE_TEST_SUITE_P(
    Audit, AuditKeyedAttack,
    ::testing::Values(
        Attack{"TailCutHeadMoved",
               "DELETE FROM audit WHERE seq > 6; UPDATE audit_meta SET value='6' WHERE "
               "key='head_seq'; UPDATE audit_meta SET value=(SELECT hash FROM audit WHERE seq=6) "
               "WHERE key='head_hash';",
               7, "behind_witness"},
        Attack{"FirstRowsDeletedAnchorMoved",
               "INSERT OR REPLACE INTO audit_meta VALUES ('anchor_seq','3'); INSERT OR REPLACE "
               "INTO audit_meta VALUES ('anchor_hash',(SELECT hash FROM audit WHERE seq=3)); "
               "DELETE FROM audit WHERE seq <= 3;",
               1, "anchor"},
        Attack{"KeyedStartMovedUp", "UPDATE audit_meta SET value='11' WHERE key='keyed_from';", 1,
               "downgrade"},
        Attack{"RowEdited", "UPDATE audit SET data='{}' WHERE seq=4;", 4, "altered"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(AuditKeyedStoreTest, RehashingWithPlainSha256IsNamed) {
  {
    auto store = Open();
    Fill(*store, 6);
  }
  auto store_rows = [&] {
    auto s = Open();
    return s->Query({})->entries;
  }();
  std::string prev = store_rows[2].prev_hash, sql;
  for (std::size_t i = 2; i < store_rows.size(); ++i) {
    const auto& e = store_rows[i];
    AuditRow row{e.seq,
                 e.ts_ms,
                 e.record.type,
                 e.record.tenant,
                 e.record.session,
                 e.record.actor,
                 i == 2 ? "{}" : CanonicalJson(e.record.data),
                 prev,
                 ""};
    row.hash = Sha256Hex(AuditCanonicalForm(row));
    sql += "UPDATE audit SET data='" + row.data + "', prev_hash='" + prev + "', hash='" + row.hash +
           "' WHERE seq=" + std::to_string(row.seq) + ";";
    prev = row.hash;
  }
  RawSql(Db(), sql + "UPDATE audit_meta SET value='" + prev + "' WHERE key='head_hash';");
  AuditVerifyReport r = Offline();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq.value_or(-1), 3);
  EXPECT_EQ(r.kind, "rehashed") << r.problem;
}

TEST_F(AuditKeyedStoreTest, ADeletedWitnessIsReportedNotSilentlyRestarted) {
  {
    auto store = Open();
    Fill(*store, 4);
  }
  fs::remove(WitnessFile());
  EXPECT_EQ(Offline().kind, "witness") << Offline().problem;
  auto store = Open();  // starts a new witness, which says what happened
  auto r = store->Verify();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->kind, "witness") << r->problem;
  EXPECT_EQ(r->first_bad_seq.value_or(-1), 1);
}

TEST_F(AuditKeyedStoreTest, AnotherKeyFileIsRefusedAtOpen) {
  {
    auto store = Open();
    Fill(*store, 2);
  }
  fs::remove(KeyFile());
  AuditOptions o;
  o.path = Db();
  auto refused = AuditStore::Open(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().Describe().find("is missing"), std::string::npos)
      << refused.error().Describe();
  std::ofstream(KeyFile()) << std::string(64, 'a') << "\n";
  fs::permissions(KeyFile(), fs::perms::owner_read | fs::perms::owner_write);
  refused = AuditStore::Open(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().Describe().find("is not the key"), std::string::npos)
      << refused.error().Describe();
}

TEST_F(AuditKeyedStoreTest, ALegacyDatabaseIsNotSilentlyVerifiedAndMigratesAtTheNextRecord) {
  WriteLegacyDatabase(5);
  AuditVerifyReport before = Offline();
  EXPECT_FALSE(before.ok);
  EXPECT_EQ(before.kind, "witness") << before.problem;  // no witness beside it
  EXPECT_EQ(Offline("none").kind, "unkeyed") << Offline("none").problem;
  {
    auto store = Open();
    Fill(*store, 2);
    auto r = store->Verify();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->problem;
    EXPECT_EQ(r->checked, 7);
    EXPECT_EQ(r->legacy_through, 5);
    ASSERT_FALSE(r->warnings.empty());
    EXPECT_NE(r->warnings[0].find("records 1..5 predate the audit key"), std::string::npos);
  }
  EXPECT_NE(hotplex::testing::ReadFile(WitnessFile()).find("kind=new seq=5 "), std::string::npos);
  // Rewriting a legacy record cannot be hidden: seq 6's MAC covers its prev_hash.
  RawSql(Db(), "UPDATE audit SET data='{}' WHERE seq=2");
  EXPECT_EQ(Offline().first_bad_seq.value_or(-1), 2);
}

TEST_F(AuditKeyedStoreTest, RetentionRecordsTheNewAnchorInTheWitness) {
  AuditOptions o;
  o.retention = std::chrono::milliseconds(60 * 1000);
  o.archive_dir = dir_.Path() + "/archive";
  {
    auto store = Open(o);
    Fill(*store, 6);
    const std::int64_t ts = store->Query({})->entries.back().ts_ms;
    auto pruned = store->RunRetention(ts + 60 * 1000 + 1);
    ASSERT_TRUE(pruned) << pruned.error().Describe();
    EXPECT_EQ(pruned->deleted, 6);
    Fill(*store, 2);
    auto r = store->Verify();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok) << r->problem;
  }
  EXPECT_NE(hotplex::testing::ReadFile(WitnessFile()).find("kind=anchor seq=6 "),
            std::string::npos);
  AuditVerifyReport offline = Offline();
  EXPECT_TRUE(offline.ok) << offline.problem;
  EXPECT_EQ(offline.checked, 2);
}

TEST_F(AuditKeyedStoreTest, ASyslogWitnessIsNamedInTheReport) {
  AuditOptions o;
  o.witness = WitnessMode::kSyslog;
  auto store = Open(o);
  Fill(*store, 2);
  EXPECT_FALSE(fs::exists(WitnessFile()));
  auto r = store->Verify();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok) << r->problem;
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("the witness is syslog"), std::string::npos) << r->warnings[0];
  // The live head still catches a cut under the running daemon.
  RawSql(Db(),
         "DELETE FROM audit WHERE seq = 2; UPDATE audit_meta SET value='1' WHERE key='head_seq';"
         "UPDATE audit_meta SET value=(SELECT hash FROM audit WHERE seq=1) WHERE key='head_hash';");
  auto cut = store->Verify();
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->kind, "live_head") << cut->problem;
  EXPECT_EQ(cut->first_bad_seq.value_or(-1), 2);
}

TEST_F(AuditKeyedStoreTest, TheWalIsCheckpointedUnderLoadAndGoneAfterClose) {
  auto store = Open();
  const std::string blob(1000, 'x');
  std::atomic<int> done{0};
  std::int64_t max_wal = 0;
  constexpr int kRecords = 40000;  // ~40 MB of records: more than the WAL may hold
  for (int i = 0; i < kRecords; ++i) {
    while (store->Stats().queued > 8192) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    store->Append(Rec(audit_type::kPrompt, "t", "s", {{"b", blob}}),
                  [&](const hotplex::Status&) { ++done; });
    if (i % 500 == 0) max_wal = std::max(max_wal, Size(Db() + "-wal"));
  }
  for (int i = 0; i < 6000 && done < kRecords; ++i) {
    max_wal = std::max(max_wal, Size(Db() + "-wal"));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(done, kRecords);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  std::cout << "40000 records of 1 KB: audit.db " << Size(Db()) << " B, WAL max " << max_wal
            << " B, WAL now " << Size(Db() + "-wal") << " B, WAL checkpoints "
            << store->Stats().wal_checkpoints << "\n";
  EXPECT_GT(Size(Db()), 30 << 20) << "the records did not reach audit.db";
  // Without checkpoints it would hold all ~60 MB; with them: ~8 MiB (the RESTART
  // threshold) plus the transactions (up to 4096 records each) that arrive meanwhile.
  EXPECT_LT(max_wal, 32 << 20) << "the WAL grew with the load";
  EXPECT_GT(store->Stats().wal_checkpoints, 0u);
  store.reset();
  EXPECT_LE(Size(Db() + "-wal"), 0) << "WAL content left after close";
  EXPECT_TRUE(Offline().ok);
}

}  // namespace
}  // namespace hotplex::supervisor
