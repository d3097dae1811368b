#include "supervisor/transcript_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

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
  std::unique_ptr<TranscriptStore> Open(std::chrono::milliseconds linger = std::chrono::milliseconds(2),
                                        std::size_t batch = 256) {
    TranscriptOptions options{dir_.Path() + "/transcripts"};
    options.linger = linger;
    options.batch = batch;
    auto store = TranscriptStore::Open(options);
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
  // Lines in the session's file, read without a Flush (polled, bounded).
  std::size_t LinesOnDiskWithin(std::size_t want, std::chrono::seconds bound) const {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    std::size_t lines = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(dir_.Path() + "/transcripts/" + kSession + ".ndjson");
      lines = 0;
      for (std::string line; std::getline(in, line);) ++lines;
      if (lines >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return lines;
  }
  hotplex::testing::TempDir dir_{"hotplex-transcript"};
};

constexpr auto kHour = std::chrono::milliseconds(std::chrono::hours(1));

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

// The writer lingers for a batch (an event at a time cost a futex pair per
// event); a reader must not wait for it.
TEST_F(TranscriptStoreTest, ReadFlushesWithoutWaitingForTheLinger) {
  auto store = Open(kHour);
  ASSERT_TRUE(store);
  EventLog log(kSession, 16, 1, store.get());
  log.Publish(Line("one"));
  auto read = std::async(std::launch::async, [&] { return SeqsAfter(*store, 0); });
  if (read.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "Read() waited for the writer's linger";
    std::_Exit(1);  // the store cannot be torn down under the blocked reader
  }
  EXPECT_EQ(read.get(), std::vector<std::uint64_t>{1});
}

TEST_F(TranscriptStoreTest, AFullBatchIsWrittenBeforeTheLingerEnds) {
  auto store = Open(kHour, 3);
  ASSERT_TRUE(store);
  EventLog log(kSession, 16, 1, store.get());
  for (int i = 0; i < 3; ++i) log.Publish(Line("line " + std::to_string(i)));
  EXPECT_EQ(LinesOnDiskWithin(3, std::chrono::seconds(20)), 3u);
}

TEST_F(TranscriptStoreTest, ALoneEventIsWrittenWhenTheLingerEnds) {
  auto store = Open();
  ASSERT_TRUE(store);
  EventLog log(kSession, 16, 1, store.get());
  log.Publish(Line("alone"));
  EXPECT_EQ(LinesOnDiskWithin(1, std::chrono::seconds(20)), 1u);
}

TEST_F(TranscriptStoreTest, StoppingWritesWhatIsQueuedWithoutWaitingForTheLinger) {
  auto store = Open(kHour);
  ASSERT_TRUE(store);
  {
    EventLog log(kSession, 16, 1, store.get());
    log.Publish(Line("last words"));
  }
  auto stop = std::async(std::launch::async, [&] { store.reset(); });
  if (stop.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "the destructor waited for the writer's linger";
    std::_Exit(1);
  }
  EXPECT_EQ(LinesOnDiskWithin(1, std::chrono::seconds(1)), 1u);
}

}  // namespace
}  // namespace hotplex::supervisor
