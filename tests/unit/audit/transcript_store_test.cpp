#include "supervisor/transcript_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/event_json.hpp"
#include "supervisor/event_log.hpp"
#include "tests/support/temp_dir.hpp"

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
  std::unique_ptr<TranscriptStore> Open(
      std::chrono::milliseconds linger = std::chrono::milliseconds(2), std::size_t batch = 256) {
    TranscriptOptions options{dir_.Path() + "/transcripts"};
    options.linger = linger;
    options.batch = batch;
    auto store = TranscriptStore::Open(options, &api::EventToJsonText);
    EXPECT_TRUE(store) << (store ? "" : store.error().Describe());
    return store ? std::move(*store) : nullptr;
  }
  std::unique_ptr<TranscriptStore> OpenWithQuotas(std::uint64_t session_quota,
                                                  std::uint64_t tenant_quota) {
    TranscriptOptions options{dir_.Path() + "/transcripts"};
    options.session_quota = session_quota;
    options.tenant_quota = tenant_quota;
    auto store = TranscriptStore::Open(options, &api::EventToJsonText);
    EXPECT_TRUE(store) << (store ? "" : store.error().Describe());
    return store ? std::move(*store) : nullptr;
  }
  std::string PathOf(const std::string& session) const {
    return dir_.Path() + "/transcripts/" + session + ".ndjson";
  }
  static std::size_t QuotaErrors(const EventLog& log) {
    std::size_t n = 0;
    for (const auto& e : log.Snapshot(0)) {
      const auto* error = std::get_if<ErrorEvent>(&e->payload);
      n += error != nullptr && error->code == ErrorCode::kTranscriptQuota ? 1 : 0;
    }
    return n;
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

// A session's file stops within its quota and ends with the quota error, which
// the live log carries too; later events are not persisted.
TEST_F(TranscriptStoreTest, SessionQuotaStopsTheFileWithAnErrorEvent) {
  auto store = OpenWithQuotas(8 * 1024, 1u << 20);
  ASSERT_TRUE(store);
  EventLog log(kSession, 4096, 1, store.get(), "t1");
  for (int i = 0; i < 100; ++i) log.Publish(Line(std::string(200, 'x')));
  EXPECT_EQ(QuotaErrors(log), 1u);
  store->Flush();
  const auto size = std::filesystem::file_size(PathOf(kSession));
  EXPECT_LE(size, 8u * 1024);
  EXPECT_GT(size, 4u * 1024);
  std::string last;
  ASSERT_TRUE(store->Read(kSession, 0, [&](std::string_view line) {
    last = line;
    return true;
  }));
  EXPECT_NE(last.find(ErrorCodeName(ErrorCode::kTranscriptQuota)), std::string::npos) << last;
  log.Publish(Line("after the quota"));
  store->Flush();
  EXPECT_EQ(std::filesystem::file_size(PathOf(kSession)), size);
}

TEST_F(TranscriptStoreTest, TenantQuotaCoversAllItsSessionsAndRemoveGivesBytesBack) {
  constexpr char kOther[] = "6a1d4b63-8e8f-4b54-8b66-1a7c1e3b9d22";
  constexpr char kThird[] = "7b2e5c74-9f90-4c65-9c77-2b8d2f4cae33";
  auto store = OpenWithQuotas(12 * 1024, 16 * 1024);
  ASSERT_TRUE(store);
  EventLog first(kSession, 4096, 1, store.get(), "t1");
  EventLog second(kOther, 4096, 1, store.get(), "t1");
  EventLog elsewhere(kThird, 4096, 1, store.get(), "t2");
  for (int i = 0; i < 30; ++i) first.Publish(Line(std::string(300, 'x')));
  for (int i = 0; i < 30; ++i) second.Publish(Line(std::string(300, 'x')));
  for (int i = 0; i < 10; ++i) elsewhere.Publish(Line(std::string(300, 'x')));
  EXPECT_EQ(QuotaErrors(second), 1u) << "t1's second session ran into the tenant quota";
  EXPECT_EQ(QuotaErrors(elsewhere), 0u) << "another tenant is not affected";
  store->Flush();
  EXPECT_LE(
      std::filesystem::file_size(PathOf(kSession)) + std::filesystem::file_size(PathOf(kOther)),
      16u * 1024 + 1024);
  ASSERT_TRUE(store->Remove(kSession));
  EventLog fresh("8c3f6d85-a0a1-4d76-ad88-3c9e3a5dbf44", 4096, 1, store.get(), "t1");
  for (int i = 0; i < 10; ++i) fresh.Publish(Line(std::string(300, 'x')));
  EXPECT_EQ(QuotaErrors(fresh), 0u) << "the removed transcript's bytes were given back";
}

TEST_F(TranscriptStoreTest, AnExistingFileCountsAfterARestart) {
  {
    auto store = OpenWithQuotas(8 * 1024, 1u << 20);
    EventLog log(kSession, 4096, 1, store.get(), "t1");
    for (int i = 0; i < 20; ++i) log.Publish(Line(std::string(300, 'x')));
  }
  auto store = OpenWithQuotas(8 * 1024, 1u << 20);
  EventLog log(kSession, 4096, 21, store.get(), "t1");
  for (int i = 0; i < 20; ++i) log.Publish(Line(std::string(300, 'x')));
  EXPECT_EQ(QuotaErrors(log), 1u);
  store->Flush();
  EXPECT_LE(std::filesystem::file_size(PathOf(kSession)), 8u * 1024);
}

// Root writes these files: a link planted at a transcript's path (symbolic or
// hard) must not make it write, or read, a file elsewhere.
TEST_F(TranscriptStoreTest, LinksAtTheTranscriptPathAreNotFollowed) {
  auto store = Open();
  ASSERT_TRUE(store);
  const std::string target = dir_.Path() + "/host-file";
  { std::ofstream(target) << "host\n"; }
  std::filesystem::create_symlink(target, PathOf(kSession));
  EventLog log(kSession, 16, 1, store.get(), "t1");
  log.Publish(Line("through the link?"));
  store->Flush();
  EXPECT_EQ(std::filesystem::file_size(target), 5u);
  EXPECT_GE(store->Dropped(), 1u);
  EXPECT_FALSE(store->Read(kSession, 0, [](std::string_view) { return true; }))
      << "reading through the link is refused";
  std::filesystem::remove(PathOf(kSession));
  std::filesystem::create_hard_link(target, PathOf(kSession));
  log.Publish(Line("through the hard link?"));
  store->Flush();
  EXPECT_EQ(std::filesystem::file_size(target), 5u);
}

TEST_F(TranscriptStoreTest, ADirectoryLinkIsRefusedAtOpen) {
  std::filesystem::create_directories(dir_.Path() + "/real");
  std::filesystem::create_directory_symlink(dir_.Path() + "/real", dir_.Path() + "/linked");
  auto store =
      TranscriptStore::Open(TranscriptOptions{dir_.Path() + "/linked"}, &api::EventToJsonText);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().Describe().find("symlink"), std::string::npos)
      << store.error().Describe();
}

}  // namespace
}  // namespace hotplex::supervisor
