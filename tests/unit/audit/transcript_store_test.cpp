#include "supervisor/transcript_store.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "supervisor/event_log.hpp"
#include "tests/support/piped_process.hpp"

namespace hotplex::supervisor {
namespace {

constexpr char kSession[] = "5f0c3a52-7d7e-4a43-9a55-0f6b0d2a8c11";

Text Line(std::string text) {
  Text t;
  t.text = std::move(text);
  return t;
}

class TranscriptStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<TranscriptStore> Open() {
    auto store = TranscriptStore::Open({dir_.Path() + "/transcripts"});
    EXPECT_TRUE(store) << (store ? "" : store.error().Describe());
    return store ? std::move(*store) : nullptr;
  }
  static std::vector<std::uint64_t> SeqsAfter(TranscriptStore& store, std::uint64_t after,
                                              std::uint64_t* last = nullptr) {
    std::vector<std::uint64_t> seqs;
    auto got = store.Read(kSession, after, [&](std::string_view line) {
      seqs.push_back(nlohmann::json::parse(line).at("seq").get<std::uint64_t>());
      return true;
    });
    EXPECT_TRUE(got);
    if (last != nullptr && got) *last = *got;
    return seqs;
  }
  hotplex::testing::TempDir dir_{"hotplex-transcript"};
};

// The events come from a real EventLog, encoded as the live stream encodes
// them, so a change of the JSON layout cannot pass unnoticed (the cursor once
// looked for a leading "seq" key that nlohmann's sorted output never writes).
TEST_F(TranscriptStoreTest, ReadHonoursTheCursorAndReturnsTheLastSeq) {
  auto store = Open();
  ASSERT_TRUE(store);
  EventLog log(kSession, 16, 1, store.get());
  // A text whose content looks like a seq field must not move the cursor.
  log.Publish(Line(R"({"seq":99,"x":1})"));
  log.Publish(Status{SessionState::kReady, "agent ready"});
  log.Publish(Line("third"));
  std::uint64_t last = 0;
  EXPECT_EQ(SeqsAfter(*store, 0, &last), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(last, 3u);
  EXPECT_EQ(SeqsAfter(*store, 1, &last), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(SeqsAfter(*store, 3, &last), std::vector<std::uint64_t>{});
  EXPECT_EQ(last, 3u);
}

TEST_F(TranscriptStoreTest, ReadStopsWhereTheCallbackSaysAndPagesOn) {
  auto store = Open();
  ASSERT_TRUE(store);
  EventLog log(kSession, 16, 1, store.get());
  for (int i = 0; i < 5; ++i) log.Publish(Line("line " + std::to_string(i)));
  std::vector<std::uint64_t> page;
  auto last = store->Read(kSession, 0, [&](std::string_view line) {
    page.push_back(nlohmann::json::parse(line).at("seq").get<std::uint64_t>());
    return page.size() < 2;
  });
  ASSERT_TRUE(last);
  EXPECT_EQ(page, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(*last, 2u);
  EXPECT_EQ(SeqsAfter(*store, *last), (std::vector<std::uint64_t>{3, 4, 5}));
}

TEST_F(TranscriptStoreTest, UnknownSessionReadsEmptyAndABadIdIsRefused) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(SeqsAfter(*store, 7).size(), 0u);
  EXPECT_FALSE(store->Read("../etc/passwd", 0, [](std::string_view) { return true; }));
}

}  // namespace
}  // namespace hotplex::supervisor
