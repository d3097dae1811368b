// The witness line format (signed checkpoints), its reader's findings, and the
// audit key file's creation and checks.
#include "supervisor/audit/audit_witness.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "supervisor/audit/audit_key.hpp"
#include "tests/support/temp_dir.hpp"

namespace hotplex::supervisor {
namespace {

const AuditKey kKey = AuditKey::FromBytes(std::string(32, 'k'));
const AuditKey kOtherKey = AuditKey::FromBytes(std::string(32, 'o'));

AuditCheckpoint Cp(const char* kind, std::int64_t seq, std::int64_t anchor = 0,
                   std::int64_t keyed_from = 1) {
  return {kind,
          seq,
          seq == 0 ? "" : "h" + std::to_string(seq),
          anchor,
          anchor == 0 ? "" : "h" + std::to_string(anchor),
          keyed_from,
          1700000000000 + seq};
}

TEST(AuditWitnessFormat, RoundTripsAndNamesEveryField) {
  const std::string line = FormatCheckpoint(Cp("head", 12, 3, 2), kKey);
  EXPECT_EQ(line.rfind("hotplex-audit-checkpoint v1 kind=head seq=12 hash=h12 anchor_seq=3 "
                       "anchor_hash=h3 keyed_from=2 key_id=" +
                           kKey.Id() + " ts_ms=1700000000012 mac=",
                       0),
            0u)
      << line;
  auto parsed = ParseCheckpoint(line, kKey);
  ASSERT_TRUE(parsed) << parsed.error().Describe();
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->seq, 12);
  EXPECT_EQ((*parsed)->hash, "h12");
  EXPECT_EQ((*parsed)->anchor_seq, 3);
  EXPECT_EQ((*parsed)->keyed_from, 2);
  EXPECT_EQ((*parsed)->kind, "head");
  // Empty hashes travel as "-".
  auto empty = ParseCheckpoint(FormatCheckpoint(Cp("new", 0), kKey), kKey);
  ASSERT_TRUE(empty && empty->has_value());
  EXPECT_EQ((*empty)->hash, "");
}

TEST(AuditWitnessFormat, FindsTheLineAfterASyslogPrefixAndSkipsOtherLines) {
  const std::string line =
      "Dec  6 11:00:00 host hotplexd[42]: " + FormatCheckpoint(Cp("stop", 7), kKey);
  auto parsed = ParseCheckpoint(line, kKey);
  ASSERT_TRUE(parsed && parsed->has_value());
  EXPECT_EQ((*parsed)->seq, 7);
  auto noise = ParseCheckpoint("Dec  6 11:00:00 host sshd[1]: accepted", kKey);
  ASSERT_TRUE(noise);
  EXPECT_FALSE(noise->has_value());
}

struct Forgery {
  const char* name;
  std::string from;
  std::string to;
};

class AuditWitnessForgery : public ::testing::TestWithParam<Forgery> {};

TEST_P(AuditWitnessForgery, IsRejected) {
  std::string line = FormatCheckpoint(Cp("head", 12, 3), kKey);
  const auto at = line.find(GetParam().from);
  ASSERT_NE(at, std::string::npos);
  line.replace(at, GetParam().from.size(), GetParam().to);
  EXPECT_FALSE(ParseCheckpoint(line, kKey)) << line;
}

INSTANTIATE_TEST_SUITE_P(Audit, AuditWitnessForgery,
                         ::testing::Values(Forgery{"Seq", "seq=12", "seq=11"},
                                           Forgery{"Hash", "hash=h12", "hash=h13"},
                                           Forgery{"Anchor", "anchor_seq=3", "anchor_seq=4"},
                                           Forgery{"Kind", "kind=head", "kind=stop"},
                                           Forgery{"KeyedFrom", "keyed_from=1", "keyed_from=9"},
                                           Forgery{"Mac", "mac=", "mac=0"},
                                           Forgery{"NoMac", " mac=", " mac"},
                                           Forgery{"UnknownField", " ts_ms=", " extra=1 ts_ms="}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(AuditWitnessFormat, AnotherKeyIsNamed) {
  auto parsed = ParseCheckpoint(FormatCheckpoint(Cp("head", 1), kOtherKey), kKey);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("key id " + kOtherKey.Id()), std::string::npos)
      << parsed.error().message;
}

class AuditWitnessRead : public ::testing::Test {
 protected:
  WitnessSummary Read(const std::vector<AuditCheckpoint>& cps, const std::string& extra = "") {
    std::ofstream out(Path());
    for (const auto& c : cps) out << FormatCheckpoint(c, kKey) << "\n";
    out << extra;
    out.close();
    auto s = ReadWitness(Path(), kKey);
    EXPECT_TRUE(s) << s.error().Describe();
    return s ? *s : WitnessSummary{};
  }
  std::string Path() const { return dir_.Path() + "/audit-witness"; }
  hotplex::testing::TempDir dir_{"hotplex-witness"};
};

TEST_F(AuditWitnessRead, AHealthyHistoryHasNoFinding) {
  auto s = Read({Cp("new", 0), Cp("head", 5), Cp("stop", 9), Cp("start", 9), Cp("anchor", 12, 4)});
  EXPECT_FALSE(s.finding.has_value()) << s.finding->text;
  EXPECT_EQ(s.checkpoints, 5);
  EXPECT_EQ(s.last->seq, 12);
  EXPECT_EQ(s.last_line, 5);
}

struct BadHistory {
  const char* name;
  std::vector<AuditCheckpoint> cps;
  std::string kind;
  std::int64_t seq;
};

class AuditWitnessBadHistory : public AuditWitnessRead,
                               public ::testing::WithParamInterface<BadHistory> {};

TEST_P(AuditWitnessBadHistory, IsFound) {
  auto s = Read(GetParam().cps);
  ASSERT_TRUE(s.finding.has_value());
  EXPECT_EQ(s.finding->kind, GetParam().kind) << s.finding->text;
  EXPECT_EQ(s.finding->seq.value_or(-1), GetParam().seq) << s.finding->text;
}

INSTANTIATE_TEST_SUITE_P(
    Audit, AuditWitnessBadHistory,
    ::testing::Values(
        BadHistory{"HeadWentBack", {Cp("new", 0), Cp("stop", 20), Cp("start", 8)}, "rollback", 9},
        BadHistory{"AnchorWentBack",
                   {Cp("new", 0), Cp("anchor", 20, 10), Cp("start", 20, 4)},
                   "anchor",
                   5},
        BadHistory{"KeyedStartMoved", {Cp("new", 0), Cp("start", 5, 0, 6)}, "downgrade", 1},
        BadHistory{"RecreatedOverKeyedRecords", {Cp("new", 30, 0, 1)}, "witness", 1},
        BadHistory{"SecondNew", {Cp("new", 0), Cp("head", 4), Cp("new", 4)}, "witness", 5},
        BadHistory{
            "AnchorMovedAtAStart", {Cp("new", 0), Cp("stop", 9), Cp("start", 9, 3)}, "anchor", 1}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(AuditWitnessRead, AMigrationStartIsNotAFinding) {
  auto s = Read({Cp("new", 40, 0, 41)});  // legacy records 1..40, keyed from 41
  EXPECT_FALSE(s.finding.has_value()) << s.finding->text;
}

TEST_F(AuditWitnessRead, AForgedLineIsFoundAndIgnored) {
  std::string forged = FormatCheckpoint(Cp("head", 99), kKey);
  forged.replace(forged.find("seq=99"), 6, "seq=98");
  auto s = Read({Cp("new", 0), Cp("head", 3)}, forged + "\nsome other text\n");
  ASSERT_TRUE(s.finding.has_value());
  EXPECT_EQ(s.finding->kind, "witness");
  EXPECT_NE(s.finding->text.find("witness line 3: bad MAC"), std::string::npos) << s.finding->text;
  EXPECT_EQ(s.last->seq, 3);
}

TEST(AuditKeyFile, IsCreated0600AndReloadsTheSameKey) {
  hotplex::testing::TempDir dir("hotplex-key");
  const std::string path = dir.Path() + "/audit-key";
  auto created = AuditKey::LoadForDaemon(path, true);
  ASSERT_TRUE(created) << created.error().Describe();
  EXPECT_TRUE(created->Created());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 65);
  auto again = AuditKey::LoadForDaemon(path, true);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->Created());
  EXPECT_EQ(again->Id(), created->Id());
  EXPECT_EQ(again->Mac("x"), created->Mac("x"));
}

TEST(AuditKeyFile, RefusesWhatOthersCouldReadOrReplace) {
  hotplex::testing::TempDir dir("hotplex-key");
  const std::string path = dir.Path() + "/audit-key";
  ASSERT_TRUE(AuditKey::LoadForDaemon(path, true));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto open = AuditKey::LoadForDaemon(path, true);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().Describe().find("mode 0644"), std::string::npos)
      << open.error().Describe();
  EXPECT_NE(open.error().Describe().find("chmod 600 " + path), std::string::npos);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  const std::string link = dir.Path() + "/link-key";
  ASSERT_EQ(::symlink(path.c_str(), link.c_str()), 0);
  auto linked = AuditKey::LoadForDaemon(link, true);
  ASSERT_FALSE(linked);
  EXPECT_NE(linked.error().Describe().find("symbolic link"), std::string::npos);
  ASSERT_EQ(::geteuid(), 0u) << "the owner check needs root to chown: run the audit tests as root";
  ASSERT_EQ(::chown(path.c_str(), 60001, 60001), 0);
  auto owned = AuditKey::LoadForDaemon(path, true);
  ASSERT_FALSE(owned);
  EXPECT_NE(owned.error().Describe().find("owned by uid 60001"), std::string::npos)
      << owned.error().Describe();
}

TEST(AuditKeyFile, AMissingKeyIsNotReplacedWhenRecordsNeedIt) {
  hotplex::testing::TempDir dir("hotplex-key");
  auto open = AuditKey::LoadForDaemon(dir.Path() + "/audit-key", false);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().Describe().find("restore the key file"), std::string::npos);
}

}  // namespace
}  // namespace hotplex::supervisor
