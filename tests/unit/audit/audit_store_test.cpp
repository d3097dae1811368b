#include "supervisor/audit/audit_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "supervisor/audit/audit_chain.hpp"
#include "supervisor/audit/audit_key.hpp"
#include "supervisor/audit/hmac_sha256.hpp"
#include "tests/support/piped_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

namespace hotplex::supervisor {
namespace {
using testing::AppendSync;
using testing::RawSql;
using testing::Rec;

class AuditStoreTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.Path() + "/audit.db"; }
  std::unique_ptr<AuditStore> OpenStore(AuditOptions o = {}) {
    o.path = DbPath();
    auto store = AuditStore::Open(std::move(o));
    EXPECT_TRUE(store) << (store ? "" : store.error().Describe());
    return store ? std::move(*store) : nullptr;
  }
  // Appends n records alternating tenants acme/zeta and types.
  void Fill(AuditStore& store, int n) {
    for (int i = 1; i <= n; ++i) {
      auto rec = Rec(i % 3 == 0 ? audit_type::kSessionCreated : audit_type::kToolDecision,
                     i % 2 ? "acme" : "zeta", "s" + std::to_string(i % 4), {{"i", i}});
      ASSERT_TRUE(AppendSync(store, std::move(rec)));
    }
  }
  hotplex::testing::TempDir dir_{"hotplex-audit"};
};

TEST_F(AuditStoreTest, AppendAssignsSeqAndChainsHashes) {
  auto store = OpenStore();
  Fill(*store, 3);
  auto page = store->Query({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->entries[0].seq, 1);
  EXPECT_EQ(page->entries[0].prev_hash, "");
  EXPECT_EQ(page->entries[1].prev_hash, page->entries[0].hash);
  EXPECT_EQ(page->entries[2].prev_hash, page->entries[1].hash);
  // The documented canonical form, recomputed independently of the store.
  const AuditEntry& e = page->entries[1];
  const std::string canonical = "[\"" + e.prev_hash + "\",2," + std::to_string(e.ts_ms) +
                                ",\"tool.decision\",\"zeta\",\"s2\",\"policy\",{\"i\":2}]";
  // Keyed: HMAC-SHA-256 under the key in audit-key (64 hex digits) beside the database.
  std::string hex = hotplex::testing::ReadFile(dir_.Path() + "/audit-key");
  hex.pop_back();
  auto key = HexDecode(hex);
  ASSERT_TRUE(key);
  EXPECT_EQ(e.hash, HmacSha256Hex(*key, canonical));
  EXPECT_FALSE(page->next_after.has_value());
}

TEST_F(AuditStoreTest, QueryFiltersAndCursor) {
  auto store = OpenStore();
  Fill(*store, 12);
  AuditFilter f;
  f.tenant = "acme";
  f.limit = 4;
  auto first = store->Query(f);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->entries.size(), 4u);
  for (const auto& e : first->entries) EXPECT_EQ(e.record.tenant, "acme");
  ASSERT_TRUE(first->next_after.has_value());
  EXPECT_EQ(*first->next_after, 7);
  f.after_seq = *first->next_after;
  auto second = store->Query(f);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->entries.size(), 2u);  // 9 and 11
  EXPECT_EQ(second->entries[0].seq, 9);
  EXPECT_FALSE(second->next_after.has_value());

  AuditFilter by_type;
  by_type.type = "session.*";
  by_type.limit = 100;
  auto sessions = store->Query(by_type);
  ASSERT_TRUE(sessions);
  EXPECT_EQ(sessions->entries.size(), 4u);  // 3, 6, 9, 12
  AuditFilter none;
  none.type = "session";  // exact match only
  EXPECT_TRUE(store->Query(none)->entries.empty());
  AuditFilter window;
  window.session = "s1";
  window.since_ms = 0;
  window.until_ms = first->entries[0].ts_ms + 3600 * 1000;
  auto s1 = store->Query(window);
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->entries.size(), 3u);  // 1, 5, 9
  AuditFilter future;
  future.since_ms = first->entries[0].ts_ms + 3600 * 1000;
  EXPECT_TRUE(store->Query(future)->entries.empty());
}

TEST_F(AuditStoreTest, ExportStreamsEveryMatchAndStopsEarly) {
  auto store = OpenStore();
  Fill(*store, 10);
  std::vector<std::int64_t> seqs;
  ASSERT_TRUE(store->Export({}, [&](const AuditEntry& e) {
    seqs.push_back(e.seq);
    return true;
  }));
  EXPECT_EQ(seqs.size(), 10u);
  int calls = 0;
  ASSERT_TRUE(store->Export({}, [&](const AuditEntry&) { return ++calls < 3; }));
  EXPECT_EQ(calls, 3);
  const nlohmann::json j = AuditEntryToJson(*store->Query({})->entries.begin());
  for (const char* key :
       {"seq", "ts", "ts_ms", "type", "tenant", "session", "actor", "data", "prev_hash", "hash"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
}

TEST_F(AuditStoreTest, VerifyPassesAndSurvivesReopen) {
  {
    auto store = OpenStore();
    Fill(*store, 5);
  }
  auto store = OpenStore();
  Fill(*store, 5);
  auto report = store->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->checked, 10);
  EXPECT_EQ(store->Query({})->entries.back().seq, 10);
  auto offline = VerifyAuditDatabase(DbPath());
  ASSERT_TRUE(offline);
  EXPECT_TRUE(offline->ok);
}

struct Tamper {
  const char* name;
  const char* sql;
  std::int64_t bad_seq;
  const char* problem;
};

class AuditTamperTest : public AuditStoreTest, public ::testing::WithParamInterface<Tamper> {};

TEST_P(AuditTamperTest, VerifyNamesTheFirstBrokenRecord) {
  {
    auto store = OpenStore();
    Fill(*store, 8);
  }
  RawSql(DbPath(), GetParam().sql);
  auto report = VerifyAuditDatabase(DbPath());
  ASSERT_TRUE(report) << report.error().Describe();
  EXPECT_FALSE(report->ok);
  ASSERT_TRUE(report->first_bad_seq.has_value());
  EXPECT_EQ(*report->first_bad_seq, GetParam().bad_seq);
  EXPECT_NE(report->problem.find(GetParam().problem), std::string::npos) << report->problem;
  auto store = OpenStore();  // the live store's route reports the same
  EXPECT_EQ(*store->Verify()->first_bad_seq, GetParam().bad_seq);
}

INSTANTIATE_TEST_SUITE_P(
    Audit, AuditTamperTest,
    ::testing::Values(
        Tamper{"EditData", "UPDATE audit SET data='{\"i\":99}' WHERE seq=4", 4, "hash mismatch"},
        Tamper{"EditActor", "UPDATE audit SET actor='client:x' WHERE seq=6", 6, "hash mismatch"},
        Tamper{"EditTime", "UPDATE audit SET ts_ms=ts_ms+1 WHERE seq=2", 2, "hash mismatch"},
        Tamper{"DeleteMiddle", "DELETE FROM audit WHERE seq=5", 5, "missing seq 5"},
        Tamper{"DeleteRange", "DELETE FROM audit WHERE seq IN (3,4)", 3, "missing seq 3..4"},
        Tamper{"DeleteFirst", "DELETE FROM audit WHERE seq=1", 1, "missing seq 1"},
        Tamper{"DeleteLast", "DELETE FROM audit WHERE seq=8", 8, "missing seq 8"},
        Tamper{"RehashedEdit", "UPDATE audit SET data='{}', hash='0000' WHERE seq=3", 3,
               "hash mismatch"},
        Tamper{"Relinked", "UPDATE audit SET prev_hash=hash WHERE seq=7", 7, "prev_hash"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(AuditStoreTest, RetentionArchivesThenDeletesAndKeepsTheChainVerifiable) {
  AuditOptions o;
  o.retention = std::chrono::milliseconds(60 * 1000);
  o.archive_dir = dir_.Path() + "/archive";
  auto store = OpenStore(o);
  Fill(*store, 6);
  const std::int64_t old_ts = store->Query({})->entries.back().ts_ms;
  // Records older than 1 min "now" = 1 min + 1 ms after the first six.
  auto none = store->RunRetention(old_ts + 1000);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->deleted, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Fill(*store, 4);
  auto report = store->RunRetention(old_ts + 60 * 1000 + 1);
  ASSERT_TRUE(report) << report.error().Describe();
  EXPECT_EQ(report->deleted, 6);
  EXPECT_EQ(report->archive_file, o.archive_dir + "/audit-1-6.ndjson");
  std::ifstream archive(report->archive_file);
  std::string line;
  std::int64_t expected = 1;
  while (std::getline(archive, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["seq"], expected++);
  }
  EXPECT_EQ(expected, 7);
  auto left = store->Query({});
  ASSERT_EQ(left->entries.size(), 4u);
  EXPECT_EQ(left->entries.front().seq, 7);
  auto verify = store->Verify();
  EXPECT_TRUE(verify->ok) << verify->problem;
  EXPECT_EQ(verify->checked, 4);
  // The chain goes on after pruning, and a deletion right after the anchor is caught.
  Fill(*store, 1);
  EXPECT_TRUE(store->Verify()->ok);
  RawSql(DbPath(), "DELETE FROM audit WHERE seq=7");
  EXPECT_EQ(*store->Verify()->first_bad_seq, 7);
}

TEST_F(AuditStoreTest, RetentionBySizeKeepsTheFileUnderTheLimit) {
  AuditOptions o;
  o.max_bytes = 256 * 1024;
  o.archive_dir = dir_.Path() + "/archive";
  auto store = OpenStore(o);
  const std::string blob(2048, 'x');
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(AppendSync(*store, Rec(audit_type::kPrompt, "acme", "s", {{"text", blob}})));
  }
  auto report = store->RunRetention(0);
  ASSERT_TRUE(report) << report.error().Describe();
  EXPECT_GT(report->deleted, 100);
  EXPECT_TRUE(std::filesystem::exists(report->archive_file));
  EXPECT_TRUE(store->Verify()->ok);
  auto again = store->RunRetention(0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->deleted, 0);
}

TEST(AuditStoreOptions, RetentionWithoutArchiveIsRefused) {
  hotplex::testing::TempDir dir("hotplex-audit");
  AuditOptions o;
  o.path = dir.Path() + "/audit.db";
  o.retention = std::chrono::milliseconds(1000);
  EXPECT_FALSE(AuditStore::Open(o));
}

TEST_F(AuditStoreTest, ConcurrentProducersGetGroupCommitted) {
  auto store = OpenStore();
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(AppendSync(*store, Rec(audit_type::kPrompt)));
    });
  }
  for (auto& t : threads) t.join();
  const AuditStats stats = store->Stats();
  EXPECT_EQ(stats.committed, 800u);
  EXPECT_LT(stats.transactions, 800u);  // some batches held more than one record
  EXPECT_TRUE(store->Verify()->ok);
}

}  // namespace
}  // namespace hotplex::supervisor
